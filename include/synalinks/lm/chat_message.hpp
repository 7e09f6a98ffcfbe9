// One message of a chat-completions conversation, as sent on the wire.
#pragma once

#include <string>
#include <vector>

namespace synalinks {

struct ChatMessage {
  std::string role{};  // "system", "user" or "assistant"
  std::string content{};
};

using ChatMessages = std::vector<ChatMessage>;

}  // namespace synalinks
