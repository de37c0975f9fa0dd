#!/bin/sh
# Fails, naming them, if test cases of the suite $1 have names CTest cannot
# carry: ';' splits a name into two that match nothing, and '[' or ']' stop
# catch_discover_tests, so the test cases after them would never run.
bad=$("$1" --list-test-names-only | grep -n '[][;]')
[ -z "$bad" ] && exit 0
echo "test case names with ';', '[' or ']' (CTest cannot run them):"
echo "$bad"
exit 1
