// The unit-cube embedding of a search space that the Bayesian optimizer models.
//
// - Int, Float and ordered Choice: one coordinate, HyperParameter::value_to_prob of the value
//   (bucket centres for discrete domains); a point decodes through prob_to_value, so Int and
//   stepped values land on their grid.
// - Boolean, unordered Choice: no order is invented. Two categories take one coordinate (0 or 1,
//   which is symmetric); k > 2 categories are one-hot (k coordinates), so every pair of
//   categories lies at the same distance.
// - Fixed parameters and one-value choices take no coordinate.
// - An inactive (or not yet declared) parameter sits at a neutral point of its block: 0.5 for
//   numbers and two-category blocks, all zeros for one-hot blocks. Every point where it is
//   inactive then agrees on it, and its distance to any active value is bounded and the same for
//   every category; the parent's own coordinates tell the branches apart.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "synalinks/hp/hyperparameters.hpp"
#include "tuners/portable_random.hpp"

namespace synalinks::tuners::detail {

class SpaceEncoding {
 public:
  explicit SpaceEncoding(const HyperParameters& space);

  std::size_t dimensions() const { return dimensions_; }
  std::vector<double> encode(const ValueMap& values) const;
  // Walks the space in order, decoding each parameter active under the values decoded so far.
  ValueMap decode(const std::vector<double>& point) const;
  // encode(decode(point)): the point snapped to the grids, with inactive blocks neutral.
  std::vector<double> snap(const std::vector<double>& point) const { return encode(decode(point)); }
  // The coordinates a gradient method may move at `values`: numeric coordinates of active
  // parameters (categories and inactive blocks stay put).
  std::vector<bool> movable(const ValueMap& values) const;
  // The numeric coordinates, active or not (an inactive one sits at the neutral 0.5 in every
  // encoded point): the same for every point, so no decoding is needed to find them.
  const std::vector<bool>& numeric() const { return numeric_; }
  // A random point: uniform numeric coordinates, one uniformly chosen category per block,
  // snapped.
  std::vector<double> random_point(std::mt19937_64& random) const;
  // Copy of `point` with numeric coordinates of active parameters moved by N(0, scale^2)
  // (clamped to [0, 1]) and, with probability `flip`, each category redrawn; snapped.
  std::vector<double> perturb(const std::vector<double>& point, double scale, double flip,
                              std::mt19937_64& random) const;

 private:
  enum class BlockKind { numeric, binary, one_hot, constant };
  struct Block {
    const HyperParameter* hp;
    BlockKind kind;
    std::size_t offset;
    std::size_t width;
  };
  void write_neutral(const Block& block, std::vector<double>& point) const;

  HyperParameters space_;
  std::vector<Block> blocks_;
  std::size_t dimensions_ = 0;
  std::vector<bool> numeric_;
};

}  // namespace synalinks::tuners::detail
