// Everything of the language-model layer.
#pragma once

#include "synalinks/lm/call_hooks.hpp"
#include "synalinks/lm/chat_message.hpp"
#include "synalinks/lm/errors.hpp"
#include "synalinks/lm/language_model.hpp"
#include "synalinks/lm/language_model_options.hpp"
#include "synalinks/lm/price_table.hpp"
#include "synalinks/lm/provider.hpp"
#include "synalinks/lm/response_cache.hpp"
#include "synalinks/lm/sampling_options.hpp"
#include "synalinks/lm/usage.hpp"
