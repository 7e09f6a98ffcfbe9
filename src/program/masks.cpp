// The masks of rewards and metrics: keep (in_mask) or drop (out_mask) the keys of a value or a
// schema whose base (no numeric suffix, last word singular) is among the mask's bases.
#include <map>
#include <regex>
#include <set>

#include "object_schema.hpp"
#include "synalinks/program/data_model.hpp"

namespace synalinks::program {
namespace {

using detail::require_object_schema;
using detail::required_of;

std::string singular(const std::string& word) {
  static const std::map<std::string, std::string> kIrregular = {{"data", "datum"},
                                                                {"criteria", "criterion"},
                                                                {"people", "person"},
                                                                {"children", "child"},
                                                                {"men", "man"},
                                                                {"women", "woman"},
                                                                {"feet", "foot"},
                                                                {"teeth", "tooth"},
                                                                {"mice", "mouse"},
                                                                {"geese", "goose"},
                                                                {"phenomena", "phenomenon"},
                                                                {"indices", "index"},
                                                                {"analyses", "analysis"},
                                                                {"hypotheses", "hypothesis"}};
  if (const auto it = kIrregular.find(word); it != kIrregular.end()) return it->second;
  const auto ends_with = [&](const std::string& suffix) {
    return word.size() > suffix.size() &&
           word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("ss") || ends_with("us") || ends_with("is")) return word;
  if (ends_with("ies")) return word.substr(0, word.size() - 3) + "y";
  if (ends_with("es")) {
    const std::string stem = word.substr(0, word.size() - 2);
    const char last = stem.back();
    if (last == 's' || last == 'x' || last == 'z' || stem.ends_with("sh") || stem.ends_with("ch"))
      return stem;
    return word.substr(0, word.size() - 1);
  }
  if (ends_with("s")) return word.substr(0, word.size() - 1);
  return word;
}

std::set<std::string> bases_of(const std::vector<std::string>& mask) {
  std::set<std::string> bases;
  for (const auto& key : mask) bases.insert(base_key(key));
  return bases;
}

Json mask_value(const Json& value, const std::set<std::string>& bases, bool keep) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(mask_value(item, bases, keep));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, item] : value.items()) {
    const bool matched = bases.contains(base_key(key));
    if (matched != keep) continue;
    out[key] = keep ? item : mask_value(item, bases, keep);
  }
  return out;
}

void collect_refs(const Json& node, std::set<std::string>& refs) {
  if (node.is_object()) {
    for (const auto& [key, item] : node.items()) {
      if (key == "$ref" && item.is_string()) refs.insert(item.get<std::string>());
      collect_refs(item, refs);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_refs(item, refs);
  }
}

Json mask_schema(const Json& schema, const std::vector<std::string>& mask, bool keep) {
  require_object_schema(schema, keep ? "in_mask_schema" : "out_mask_schema");
  const std::set<std::string> bases = bases_of(mask);
  Json out = schema;
  Json properties = Json::object();
  for (const auto& [key, property] : schema["properties"].items()) {
    if (bases.contains(base_key(key)) == keep) properties[key] = property;
  }
  out["properties"] = properties;
  Json required = Json::array();
  for (const auto& key : required_of(schema)) {
    if (properties.contains(key.get<std::string>())) required.push_back(key);
  }
  if (required.empty() && keep) {
    out.erase("required");
  } else {
    out["required"] = required;
  }
  if (out.contains("$defs")) {
    // Drop definitions nothing refers to any more (a definition may refer to another).
    Json defs = out["$defs"];
    out.erase("$defs");
    std::set<std::string> refs;
    collect_refs(out, refs);
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [name, def] : defs.items()) {
        if (!refs.contains("#/$defs/" + name)) continue;
        const auto before = refs.size();
        collect_refs(def, refs);
        grew = grew || refs.size() != before;
      }
    }
    Json kept = Json::object();
    for (const auto& [name, def] : defs.items())
      if (refs.contains("#/$defs/" + name)) kept[name] = def;
    if (!kept.empty()) out["$defs"] = kept;
  }
  return out;
}

}  // namespace

std::string base_key(const std::string& key) {
  static const std::regex numeric_suffix("_\\d+$");
  std::string stem = std::regex_replace(key, numeric_suffix, "");
  const auto cut = stem.rfind('_');
  const std::string head = cut == std::string::npos ? "" : stem.substr(0, cut + 1);
  const std::string last = cut == std::string::npos ? stem : stem.substr(cut + 1);
  return head + singular(last);
}

Json in_mask(const Json& value, const std::vector<std::string>& mask) {
  return mask_value(value, bases_of(mask), true);
}

Json out_mask(const Json& value, const std::vector<std::string>& mask) {
  return mask_value(value, bases_of(mask), false);
}

Json in_mask_schema(const Json& schema, const std::vector<std::string>& mask) {
  return mask_schema(schema, mask, true);
}

Json out_mask_schema(const Json& schema, const std::vector<std::string>& mask) {
  return mask_schema(schema, mask, false);
}

}  // namespace synalinks::program
