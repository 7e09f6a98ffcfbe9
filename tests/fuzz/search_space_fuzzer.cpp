// The search-space JSON that `synalinks-tune search --space FILE` reads: keras-tuner's config
// form {"space": [...], "values": {...}}, or the bare list of configs. Whatever is accepted must
// be usable (sampled, mapped, described) and must read back from what it writes.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameters.hpp"

namespace sl = synalinks;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = sl::fuzz::parse_json(data, size);
  if (!json) return 0;
  sl::HyperParameters hps;
  try {
    // As the CLI does: a bare array is the space alone.
    hps = json->is_array() ? sl::HyperParameters::from_json(
                                 sl::Json{{"space", *json}, {"values", sl::Json::object()}})
                           : sl::HyperParameters::from_json(*json);
  } catch (const sl::Error&) {
    return 0;  // rejected with our exception: fine
  }
  // What we write must read back as the same space and values.
  const sl::Json written = hps.to_json();
  if (sl::HyperParameters::from_json(written).to_json() != written) std::abort();
  for (const sl::HyperParameter& hp : hps.space()) {
    (void)hp.describe();
    for (const double p : {0.0, 0.5, 1.0}) {
      const sl::Value value = hp.prob_to_value(p);
      if (!hp.contains(value)) std::abort();
      (void)hp.value_to_prob(value);
    }
    (void)hp.random_sample(static_cast<std::int64_t>(size));
  }
  std::int64_t seed = 1;
  hps.ensure_active_values(seed);
  return 0;
}
