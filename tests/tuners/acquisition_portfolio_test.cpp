#include "tuners/acquisition_portfolio.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners::detail {
namespace {

TEST(AcquisitionPortfolio, ExactScoresTakeExpectedImprovementAndUcbInTurn) {
  for (std::size_t index = 0; index < 8; ++index)
    EXPECT_EQ(proposes_by_ucb(Acquisition::portfolio, false, index), index % 2 == 1)
        << "trial index " << index;
}

TEST(AcquisitionPortfolio, NoisyScoresKeepExpectedImprovement) {
  for (std::size_t index = 0; index < 8; ++index)
    EXPECT_FALSE(proposes_by_ucb(Acquisition::portfolio, true, index)) << "trial index " << index;
}

TEST(AcquisitionPortfolio, TheSingleFunctionsAreUsedAlways) {
  for (const bool noisy : {false, true}) {
    for (std::size_t index = 0; index < 4; ++index) {
      EXPECT_TRUE(proposes_by_ucb(Acquisition::ucb, noisy, index));
      EXPECT_FALSE(proposes_by_ucb(Acquisition::expected_improvement, noisy, index));
    }
  }
}

TEST(AcquisitionPortfolio, NamesReadBackAndABadNameSaysWhatIsAccepted) {
  for (const auto acquisition :
       {Acquisition::ucb, Acquisition::expected_improvement, Acquisition::portfolio})
    EXPECT_EQ(acquisition_from_string(to_string(acquisition)), acquisition);
  const std::string message =
      synalinks::testing::message_of<InvalidArgument>([] { acquisition_from_string("thompson"); });
  EXPECT_NE(message.find("'thompson'; expected ucb, expected_improvement or portfolio"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace synalinks::tuners::detail
