// One message of a chat-completions conversation, as sent on the wire.
#pragma once

#include <string>
#include <vector>

namespace synalinks::lm {

struct ChatMessage {
  std::string role{};  // "system", "user" or "assistant"
  std::string content{};
};

using ChatMessages = std::vector<ChatMessage>;

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::ChatMessage;
using lm::ChatMessages;
}  // namespace synalinks
