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

TEST(Redact, HidesPasswordsAsLibpqReadsThem) {
  // libpq reads the user information up to an '@' before the first '/', spaces and '?' included.
  EXPECT_EQ(redact_secrets("postgresql://bob:s3c* %40t@db.example=require"),
            "postgresql://bob:***@db.example=require");
  EXPECT_EQ(redact_secrets("postgresql://bob:a?b#c@h/db"), "postgresql://bob:***@h/db");
  // Its keyword form allows spaces around '=', and '&' is part of a keyword's value.
  EXPECT_EQ(redact_secrets("host=h password = secret dbname=d"), "host=h password = *** dbname=d");
  EXPECT_EQ(redact_secrets("password= 'a b' host=h"), "password= *** host=h");
  EXPECT_EQ(redact_secrets("host=h password=abc&def dbname=d"), "host=h password=*** dbname=d");
  // A URL's query parameter ends at the next '&', spaces included.
  EXPECT_EQ(redact_secrets("postgresql://h/db?password=a b&sslmode=require"),
            "postgresql://h/db?password=***&sslmode=require");
  // ...and begins right after '=': leading spaces belong to the password.
  EXPECT_EQ(redact_secrets("postgres://h?password=\t***"), "postgres://h?password=***");
  // Hiding a query parameter up to its '&' can swallow the '/' that ended the user information:
  // what follows, ':o@', is then libpq's password, and is hidden too.
  EXPECT_EQ(redact_secrets("postgres://?password=:o@/&:o@"), "postgres://?password=***&:***@");
}

}  // namespace
}  // namespace synalinks::storage
