// Optuna's distributions read back as our hyperparameters: an integer distribution whose bounds
// or step are not whole numbers (a study another program wrote) is refused with our error.
#include "storage/optuna_mapping.hpp"

#include <gtest/gtest.h>

#include <string>

#include "synalinks/errors.hpp"

namespace synalinks::storage::detail {
namespace {

Json int_distribution(const std::string& low, const std::string& high, const std::string& step) {
  return Json::parse(R"({"name": "IntDistribution", "attributes": {"low": )" + low +
                     R"(, "high": )" + high + R"(, "log": false, "step": )" + step + "}}");
}

TEST(OptunaMapping, AnIntDistributionRoundTrips) {
  const HyperParameter units = HyperParameter::integer("units", 32, 512, {.step = 32});
  const HyperParameter back = hyperparameter_from_optuna("units", optuna_distribution(units));
  EXPECT_EQ(back.kind(), HpKind::integer);
  EXPECT_EQ(back.min_value(), 32);
  EXPECT_EQ(back.max_value(), 512);
  EXPECT_EQ(back.step(), 32);
  EXPECT_EQ(hyperparameter_from_optuna("units", int_distribution("1", "4.0", "1")).max_value(), 4);
}

TEST(OptunaMapping, IntBoundsOrStepsThatAreNotWholeNumbersAreRefused) {
  const struct {
    Json distribution;
    std::string field;
  } cases[] = {{int_distribution("1e43", "4", "1"), "low 1e+43"},
               {int_distribution("1", "2.5", "1"), "high 2.5"},
               {int_distribution("1", "4", "18446744073709551615"), "step 18446744073709551615"},
               {int_distribution("1", "4", "null"), "step null"}};
  for (const auto& [distribution, field] : cases) {
    try {
      hyperparameter_from_optuna("units", distribution);
      ADD_FAILURE() << distribution.dump() << " was accepted";
    } catch (const InvalidArgument& error) {
      const std::string message = error.what();
      EXPECT_NE(
          message.find("'units' has " + field + " in its Optuna distribution; expected an integer"),
          std::string::npos)
          << message;
    }
  }
}

}  // namespace
}  // namespace synalinks::storage::detail
