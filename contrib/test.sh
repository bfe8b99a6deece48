#!/bin/sh
# SPDX-License-Identifier: OLDAP-2.8
# Copyright 2026 The warden authors; see the file LICENSE.
# Runs warden's whole test suite: builds (as contrib/build.sh), then
# 'make check' on the normal build and on the AddressSanitizer/UBSan build,
# then 'make check-package' (the Debian package and a signed release) on the
# normal build, then the benchmark harness in smoke mode, then each fuzzing
# harness for 10 s and the protocol fuzzer for 30 s (README: Fuzzing).
# Run as root on Debian 12.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh contrib/build.sh --asan --fuzz || exit 1

rc=0
for b in build build-asan; do
	echo "== make check in $b"
	rm -f "$b/tests/integration/results.xml" "$b/tests/unit/warden_unit.log"
	make -C "$b" -s check VERBOSE=1 || rc=1
done
# Once, on the normal build: the .deb built, installed on this machine,
# upgraded and purged; a release signed and checked (tests/package).
echo "== make check-package in build"
rm -f build/tests/package/results.xml
make -C build -s check-package || rc=1
echo "== benchmark harness, smoke mode"
if ! make -C build -s bench-smoke > build/bench-smoke.log 2>&1; then
	tail -n 30 build/bench-smoke.log
	echo "FAIL: bench-smoke (log: build/bench-smoke.log)"
	rc=1
else
	tail -n 3 build/bench-smoke.log
fi

echo "== fuzzing harnesses, 10 s each, and the protocol fuzzer, 30 s"
if ! make -C build-fuzz -s fuzz-smoke > build-fuzz/fuzz-smoke.log 2>&1; then
	tail -n 40 build-fuzz/fuzz-smoke.log
	echo "FAIL: fuzz-smoke (log: build-fuzz/fuzz-smoke.log)"
	rc=1
fi
if ! make -C build-asan -s fuzz-protocol FUZZ_PROTOCOL_SECONDS=30 \
		> build-asan/fuzz-protocol.log 2>&1; then
	tail -n 40 build-asan/fuzz-protocol.log
	echo "FAIL: fuzz-protocol (log: build-asan/fuzz-protocol.log)"
	rc=1
else
	tail -n 1 build-asan/fuzz-protocol.log
fi

# One line for the whole run: Check's and pytest's counts from both builds.
/usr/bin/python3 - "$rc" <<'PY'
import re, sys, pathlib, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for b in ("build", "build-asan"):
    log = pathlib.Path(b, "tests/unit/warden_unit.log")
    m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)",
                  log.read_text() if log.exists() else "")
    if m:
        n, f, e = map(int, m.groups())
        passed += n - f - e
        failed += f + e
    else:
        failed += 1
    xmls = [pathlib.Path(b, "tests/integration/results.xml")]
    if b == "build":
        xmls.append(pathlib.Path(b, "tests/package/results.xml"))
    for xml in xmls:
        if not xml.exists():
            failed += 1
            continue
        for s in ET.parse(xml).getroot().iter("testsuite"):
            t, f, e, sk = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
            passed += t - f - e - sk
            failed += f + e
            skipped += sk
if sys.argv[1] != "0" and failed == 0:
    failed = 1      # a step outside the counted suites failed
print(f"warden: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
