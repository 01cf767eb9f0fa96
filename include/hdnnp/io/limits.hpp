// hdnnp: the size limits of the file readers. A size or count read from a file is checked against these
// BEFORE anything is allocated for it, so that a corrupt or hostile file gives a ParseError naming the file,
// the line and the limit instead of exhausting memory. Each is far above what any published model or data set
// needs (n2p2's largest reference models: ~350 functions per element, 30-node layers, ~11k weights).
#pragma once

#include <cstddef>

namespace hdnnp::io::limits {

/// `number_of_elements` (the periodic table has 118).
inline constexpr long max_elements = 118;
/// Hidden layers of one network (`global_hidden_layers_*`).
inline constexpr long max_hidden_layers = 100;
/// Nodes of one hidden layer (`global_nodes_*`, `element_nodes_*`).
inline constexpr long max_layer_width = 100000;
/// Weights and biases of one network (input width from the symmetry functions, hidden widths, one output):
/// 10^8 doubles are 800 MB.
inline constexpr std::size_t max_network_parameters = 100000000;
/// `symfunction_short` lines of one element.
inline constexpr std::size_t max_symmetry_functions = 10000;
/// Atoms of one structure where a file declares the count before the atoms (the extended XYZ count line).
inline constexpr std::size_t max_atoms = 100000000;

}  // namespace hdnnp::io::limits
