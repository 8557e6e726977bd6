#!/usr/bin/env bash
# Cargo runner for the Windows target: runs a test executable under Wine.
# The runner variable is taken out of its environment, so that programs the
# test starts (huashu.exe, through assert_cmd) run directly in this Wine
# rather than through a `wine` that does not exist inside it.
exec env -u CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER wine "$@"
