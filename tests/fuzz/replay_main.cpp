// Without libFuzzer, a fuzz target is built against this main: it feeds every file of the corpus
// directories given on the command line to LLVMFuzzerTestOneInput once (a regression run in CTest).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<fs::path> paths;
    if (fs::is_directory(argv[i])) {
      for (auto& e : fs::recursive_directory_iterator(argv[i]))
        if (e.is_regular_file()) paths.push_back(e.path());
    } else if (fs::exists(argv[i])) {
      paths.emplace_back(argv[i]);
    }
    for (auto& p : paths) {
      std::ifstream in(p, std::ios::binary);
      std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      ++files;
    }
  }
  // Also the empty input and a few degenerate ones.
  const std::uint8_t zeros[64] = {};
  LLVMFuzzerTestOneInput(zeros, 0);
  LLVMFuzzerTestOneInput(zeros, sizeof zeros);
  std::printf("replayed %d corpus files\n", files);
  return 0;
}
