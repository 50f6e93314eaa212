#!/usr/bin/env bash
# Refreshes the vendored browser libraries in web/static/vendor/ from the npm registry. The explorer has no
# build step: these minified files are committed and embedded in the Go binary as they are. To upgrade,
# change a version below, run `bash web/vendor.sh`, check the page and the e2e test, and commit.
set -euo pipefail

CYTOSCAPE=3.34.4
GRAPHIQL=3.9.0 # the last major with a UMD build (4.x and later are ESM only and need a bundler)
REACT=18.3.1   # GraphiQL 3 wants React 18; React 19 ships no UMD build

web="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "cytoscape@$CYTOSCAPE" "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null

out="$web/static/vendor"
mkdir -p "$out/graphiql"
cp node_modules/cytoscape/dist/cytoscape.min.js "$out/cytoscape.min.js"
cp node_modules/cytoscape/LICENSE "$out/cytoscape.LICENSE"
cp node_modules/react/umd/react.production.min.js "$out/graphiql/react.production.min.js"
cp node_modules/react/LICENSE "$out/graphiql/react.LICENSE"
cp node_modules/react-dom/umd/react-dom.production.min.js "$out/graphiql/react-dom.production.min.js"
cp node_modules/react-dom/LICENSE "$out/graphiql/react-dom.LICENSE"
cp node_modules/graphiql/graphiql.min.js "$out/graphiql/graphiql.min.js"
cp node_modules/graphiql/graphiql.min.css "$out/graphiql/graphiql.min.css"
cp node_modules/graphiql/LICENSE "$out/graphiql/graphiql.LICENSE"
# The bundles end with a sourceMappingURL comment; the maps are not vendored, so drop the comment (a browser
# with devtools open would otherwise request the missing .map file).
sed -i -e 's|//# sourceMappingURL=[^ ]*\.map$||' -e 's|/\*# sourceMappingURL=[^ ]*\.map \*/||' \
  "$out/cytoscape.min.js" "$out"/graphiql/*.js "$out"/graphiql/*.css
cat > "$out/VERSIONS" <<VERSIONS
cytoscape $CYTOSCAPE (dist/cytoscape.min.js)
graphiql $GRAPHIQL (graphiql.min.js, graphiql.min.css)
react $REACT (umd/react.production.min.js)
react-dom $REACT (umd/react-dom.production.min.js)
VERSIONS
echo "vendored into $out:"
cat "$out/VERSIONS"
