// What the fuzz targets share: reading the input as JSON and a scratch folder for the loaders
// that read files.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "synalinks/json.hpp"

namespace synalinks::fuzz {

// The input as JSON; nullopt when it is not JSON (that rejection is the JSON parser's, which the
// loaders wrap; the targets look for what happens to JSON the loaders accept or reject).
inline std::optional<Json> parse_json(const std::uint8_t* data, std::size_t size) {
  Json json = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

// A folder of this process, made on first use and removed at exit.
inline const std::filesystem::path& scratch_dir() {
  struct Folder {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("synalinks-fuzz-" + std::to_string(::getpid()));
    Folder() { std::filesystem::create_directories(path); }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

inline void write_file(const std::filesystem::path& path, const std::uint8_t* data,
                       std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) std::abort();  // the scratch folder must be writable
}

}  // namespace synalinks::fuzz
