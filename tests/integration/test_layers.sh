#!/bin/sh
# Each folder of src/ names, in its main header src/X/X.h, the folders it
# may call ("May call: base/ proto/ …" in the opening comment).  Every
# #include of another folder's header, in every file of the folder, must be
# one of them; and libcurl and sqlite3 stay with their one owner
# (transport/, store/; the simulator keeps its own state in SQLite).
set -eu
cd "${HCS_TOP:-.}"
fail=0
for dir in src/*/; do
    name=$(basename "$dir")
    main="$dir$name.h"
    if [ ! -f "$main" ]; then
        echo "FAIL: $name/ has no main header $main"; fail=1; continue
    fi
    # The "May call:" sentence, up to its full stop, from the opening comment.
    opening=$(awk '{print} /\*\//{exit}' "$main" | tr '\n' ' ')
    allowed=$(echo "$opening" |
              sed -n 's/.*May call: *\([^.]*\)\..*/\1/p' | tr -d '*,' | tr ' ' '\n' | sed -n 's#^\([a-z_]*\)/$#\1#p')
    if ! echo "$opening" | grep -q 'May call:'; then
        echo "FAIL: $main does not say which folders $name/ may call (May call: …)"; fail=1; continue
    fi
    used=$(grep -ho '#include "[a-z_]*/' "$dir"*.[ch] | sed 's/#include "//; s#/##' | sort -u)
    for u in $used; do
        [ "$u" = "$name" ] && continue
        echo " $allowed " | tr '\n' ' ' | grep -q " $u " && continue
        echo "FAIL: $name/ includes $u/ but $main does not allow it:"
        grep -n "#include \"$u/" "$dir"*.[ch] | sed 's/^/      /'
        fail=1
    done
    echo "$name/ may call: $(echo $allowed | tr '\n' ' ')"
done
curl_users=$(grep -l 'curl_easy\|curl_multi' src/*/*.c | grep -v '^src/transport/' || true)
[ -z "$curl_users" ] || { echo "FAIL: libcurl outside transport/: $curl_users"; fail=1; }
sqlite_users=$(grep -l 'sqlite3_' src/*/*.c | grep -v '^src/store/\|^src/sim/' || true)
[ -z "$sqlite_users" ] || { echo "FAIL: sqlite3 outside store/ (and sim/): $sqlite_users"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
