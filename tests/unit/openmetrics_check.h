#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace tikv_exporter::testing {

// Runs the OpenMetrics parser of the official Python client (python3-prometheus-client,
// prometheus_client.openmetrics.parser, which enforces the spec: # EOF, counter samples ending in
// _total, histogram buckets ending at +Inf, ...) over `text`. Returns its exit code (0: valid; -1:
// it could not run) and fills `output` with what it printed, one "family type samples" line per
// family on success, the parser's error otherwise.
inline int PythonOpenMetricsCheck(const std::string& text, std::string* output) {
  std::string path = (std::filesystem::temp_directory_path() / "openmetrics_test_XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return -1;
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  int code = -1;
  if (written) {
    const std::string script =
        "import sys\n"
        "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
        "for f in text_string_to_metric_families(open(sys.argv[1], encoding='utf-8').read()):\n"
        "    print(f.name, f.type, len(f.samples))\n";
    // Debian's python3, where python3-prometheus-client (scripts/install-deps.sh) is installed,
    // even when another python3 (pyenv, a venv) comes first on the PATH.
    FILE* python = popen(("/usr/bin/python3 -c \"$(cat <<'PY'\n" + script + "PY\n)\" '" + path + "' 2>&1").c_str(), "r");
    if (python != nullptr) {
      char chunk[4096];
      for (size_t n; (n = fread(chunk, 1, sizeof(chunk), python)) > 0;) output->append(chunk, n);
      const int status = pclose(python);
      code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  std::filesystem::remove(path);
  return code;
}

}  // namespace tikv_exporter::testing
