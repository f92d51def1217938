// Entry point of the flotilla binary; everything else lives in flotilla_core.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return flotilla::app::run_cli(argc, argv);
}
