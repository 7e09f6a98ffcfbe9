#include "tuners/acquisition_portfolio.hpp"

namespace synalinks::tuners::detail {

bool proposes_by_ucb(Acquisition acquisition, bool noisy, std::size_t trial_index) {
  switch (acquisition) {
    case Acquisition::ucb:
      return true;
    case Acquisition::expected_improvement:
      return false;
    case Acquisition::portfolio:
      return !noisy && trial_index % 2 == 1;
  }
  return false;
}

}  // namespace synalinks::tuners::detail
