#pragma once
// A test hook: with GENLAB_MAPPED_LIBRARIES_AT_EXIT=FILE in the environment, genlab writes the
// shared objects mapped into its process at exit to FILE, one path per line, so a test can check
// that a oneDNN command never loaded LibTorch (docs/architecture.md, "The LibTorch module").
namespace genlab::backend {

// Registers the exit hook when the variable is set; does nothing otherwise.
void report_mapped_libraries_at_exit();

}  // namespace genlab::backend
