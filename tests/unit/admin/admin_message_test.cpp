#include "admin/admin_message.hpp"

#include <gtest/gtest.h>

namespace flotilla::admin {
namespace {

AdminRequest with_body(std::string body) {
  AdminRequest request;
  request.method = "POST";
  request.body = std::move(body);
  return request;
}

TEST(ParseJsonBody, EmptyBodyIsAnEmptyObject) {
  for (const char* body : {"", "  \r\n"}) {
    const JsonBody parsed = parse_json_body(with_body(body));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value, nlohmann::json::object());
  }
}

TEST(ParseJsonBody, ObjectIsReturned) {
  const JsonBody parsed = parse_json_body(with_body(R"({"replicas": 5})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value["replicas"], 5);
}

TEST(ParseJsonBody, MalformedJsonIs400WithPosition) {
  const JsonBody parsed = parse_json_body(with_body(R"({"replicas": )"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error->status, 400);
  const auto body = nlohmann::json::parse(parsed.error->body);
  const std::string error = body["error"];
  EXPECT_TRUE(error.starts_with("request body is not valid JSON: ")) << error;
  EXPECT_NE(error.find("line 1"), std::string::npos) << error;
  EXPECT_EQ(error.find("[json.exception"), std::string::npos) << error;
}

TEST(ParseJsonBody, NonObjectIs400) {
  const JsonBody parsed = parse_json_body(with_body("[1, 2]"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(nlohmann::json::parse(parsed.error->body)["error"],
            "request body must be a JSON object");
}

TEST(AdminRequest, HeaderLookupIgnoresCase) {
  AdminRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Twice", "1"}, {"x-twice", "2"}};
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("X-TWICE"), "1");
  EXPECT_EQ(request.header("Authorization"), std::nullopt);
}

TEST(JsonResponse, SerializesWithNewlineAndReplacesBadUtf8) {
  const AdminResponse response = json_response(201, {{"line", std::string("a\xff"
                                                                          "b")}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body.back(), '\n');
  EXPECT_TRUE(nlohmann::json::accept(response.body));
  EXPECT_EQ(nlohmann::json::parse(error_response(409, "busy").body),
            (nlohmann::json{{"error", "busy"}}));
}

}  // namespace
}  // namespace flotilla::admin
