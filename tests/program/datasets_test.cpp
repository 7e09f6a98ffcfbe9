#include "synalinks/program/datasets.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "program_test_support.hpp"
#include "support/throws.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;

TEST(Gsm8k, AnswersAreParsedAfterTheLastMarker) {
  EXPECT_EQ(datasets::gsm8k::parse_answer("She had 3, got 4 more.\n#### 7"),
            Json::parse(R"({"thinking": "She had 3, got 4 more.", "answer": 7.0})"));
  EXPECT_EQ(datasets::gsm8k::parse_answer("#### 1,125")["answer"], 1125.0);
  EXPECT_EQ(datasets::gsm8k::parse_answer("x\n#### -3.5")["answer"], -3.5);
  EXPECT_EQ(datasets::gsm8k::parse_answer("5*2=<<5*2=10>>10\n#### 10")["thinking"],
            "5*2=<<5*2=10>>10");
  EXPECT_THAT(
      testing::message_of<InvalidArgument>([] { datasets::gsm8k::parse_answer("no marker"); }),
      HasSubstr("no \"####\""));
  EXPECT_THAT(
      testing::message_of<InvalidArgument>([] { datasets::gsm8k::parse_answer("#### about 5"); }),
      HasSubstr("'about 5'; expected a number"));
}

TEST(Gsm8k, MalformedLinesNameTheFileAndLine) {
  testing::TempDir dir;
  program_test::write_questions(dir.path() / "train.jsonl", 3);
  std::ofstream(dir.path() / "train.jsonl", std::ios::app) << "{\"question\": \"Q\"\n";
  program_test::write_questions(dir.path() / "test.jsonl", 2);
  const std::string message = testing::message_of<ProjectError>(
      [&] { datasets::gsm8k::load_data({.directory = dir.path()}); });
  EXPECT_THAT(message, HasSubstr((dir.path() / "train.jsonl").string() + ":4"));

  std::ofstream(dir.path() / "train.jsonl") << R"({"question": "Q", "answer": "#### many"})"
                                            << "\n";
  EXPECT_THAT(testing::message_of<ProjectError>(
                  [&] { datasets::gsm8k::load_data({.directory = dir.path()}); }),
              HasSubstr("train.jsonl:1: GSM8K answer after \"####\" is 'many'"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([] { datasets::gsm8k::load_data({}); }),
              HasSubstr("exactly one of .directory"));
}

TEST(Gsm8k, LoadsTheRealDatasetWhenPresent) {
  const std::filesystem::path dir = SYNALINKS_GSM8K_DIR;
  if (!std::filesystem::exists(dir / "train.jsonl")) GTEST_SKIP() << "no GSM8K at " << dir;
  const auto splits = datasets::gsm8k::load_data({.directory = dir});
  EXPECT_EQ(splits.train.size(), 7473u);
  EXPECT_EQ(splits.test.size(), 1319u);
  EXPECT_TRUE(splits.train.y.front()["answer"].is_number());
}

TEST(Gsm8k, DownloadsOnceIntoTheCache) {
  testing::TempDir source;
  program_test::write_questions(source.path() / "train.jsonl", 5);
  program_test::write_questions(source.path() / "test.jsonl", 3, 100);
  httplib::Server server;
  std::atomic<int> requests = 0;  // counted by the server's threads
  server.set_pre_routing_handler([&](const httplib::Request&, httplib::Response&) {
    ++requests;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_mount_point("/gsm8k", source.path().string());
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  testing::TempDir cache;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/gsm8k";
  const auto first = datasets::gsm8k::load_data({.url = url, .cache_directory = cache.path()});
  const auto second = datasets::gsm8k::load_data({.url = url, .cache_directory = cache.path()});
  const std::string missing = testing::message_of<Error>([&] {
    datasets::gsm8k::load_data({.url = url + "/nowhere", .cache_directory = cache.path() / "x"});
  });
  server.stop();
  serving.join();
  EXPECT_EQ(first.train.size(), 5u);
  EXPECT_EQ(second.test.size(), 3u);
  EXPECT_EQ(requests, 3);  // two files once, then the missing one
  EXPECT_THAT(missing, HasSubstr("404"));
  EXPECT_FALSE(std::filesystem::exists(cache.path() / "x" / "train.jsonl.part"));
}

TEST(Jsonl, MapsFieldsAndConvertsNumbers) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "rows.jsonl") << R"({"text": "hi", "label": "1,200", "ok": true})"
                                           << "\n\n"
                                           << R"({"text": "yo", "label": 3, "ok": false})"
                                           << "\n";
  const DataModel input("In", {fields::string("message", "")});
  const DataModel output("Out", {fields::integer("label", ""), fields::boolean("ok", "")});
  const Dataset data = datasets::load_jsonl({.path = dir.path() / "rows.jsonl",
                                             .input_data_model = input,
                                             .output_data_model = output,
                                             .field_map = {{"message", "text"}}});
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data.x[0], Json::parse(R"({"message": "hi"})"));
  EXPECT_EQ(data.y[0], Json::parse(R"({"label": 1200, "ok": true})"));
  std::ofstream(dir.path() / "bad.jsonl") << R"({"text": "hi", "label": "x", "ok": true})";
  EXPECT_THAT(testing::message_of<ProjectError>([&] {
                datasets::load_jsonl({.path = dir.path() / "bad.jsonl",
                                      .input_data_model = input,
                                      .output_data_model = output,
                                      .field_map = {{"message", "text"}}});
              }),
              HasSubstr("bad.jsonl:1: field 'label' holds \"x\"; expected an integer"));
}

TEST(Gsm8k, AnswerBeyondAnyNumberIsRejected) {
  // strtod reads "1e999" as infinity, which JSON cannot hold.
  EXPECT_THAT(
      testing::message_of<InvalidArgument>([] { datasets::gsm8k::parse_answer("#### 1e999"); }),
      HasSubstr("'1e999'; expected a number"));
}

TEST(Jsonl, IntegersNoInt64HoldsAreRejected) {
  testing::TempDir dir;
  const DataModel input("In", {fields::string("text", "")});
  const DataModel output("Out", {fields::integer("label", "")});
  for (const char* label : {R"("1e300")", "-1e19", R"("99999999999999999999")"}) {
    std::ofstream(dir.path() / "rows.jsonl") << R"({"text": "hi", "label": )" << label << "}\n";
    EXPECT_THAT(testing::message_of<ProjectError>([&] {
                  datasets::load_jsonl({.path = dir.path() / "rows.jsonl",
                                        .input_data_model = input,
                                        .output_data_model = output});
                }),
                HasSubstr("rows.jsonl:1: field 'label' holds"))
        << label;
  }
}

}  // namespace
}  // namespace synalinks
