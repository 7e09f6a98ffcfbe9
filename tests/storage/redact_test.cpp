#include "synalinks/storage/redact.hpp"

#include <gtest/gtest.h>

namespace synalinks::storage {
namespace {

TEST(Redact, HidesTheUserInformationsPasswordOfAUrl) {
  EXPECT_EQ(redact_secrets("postgresql://bob:s3cret@db.example:5432/optuna"),
            "postgresql://bob:***@db.example:5432/optuna");
  EXPECT_EQ(redact_secrets("postgresql+psycopg2://bob:p@ss:w@rd@host/db"),
            "postgresql+psycopg2://bob:***@host/db");
  EXPECT_EQ(redact_secrets("cannot reach postgres://a:b@h/d for 3 s"),
            "cannot reach postgres://a:***@h/d for 3 s");
}

TEST(Redact, HidesPasswordParametersAndKeywords) {
  EXPECT_EQ(redact_secrets("postgresql://bob@host/db?sslmode=require&password=abc&x=1"),
            "postgresql://bob@host/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(redact_secrets("host=h password=abc dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(redact_secrets("host=h password='a b\\' c' dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(redact_secrets("host=h PASSWORD=abc"), "host=h PASSWORD=***");
  // Only the key itself: another key ending in "password" is left alone.
  EXPECT_EQ(redact_secrets("oldpassword=keep"), "oldpassword=keep");
}

TEST(Redact, LeavesTextWithoutSecretsAsItIs) {
  for (const char* text : {"postgresql://bob@host:5432/db", "sqlite:////tmp/a:b@c.db",
                           "sqlite:///search.db", "no url here", ""})
    EXPECT_EQ(redact_secrets(text), text);
}

}  // namespace
}  // namespace synalinks::storage
