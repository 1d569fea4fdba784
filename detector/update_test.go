package detector

import "flag"

// update rewrites the golden files in testdata (go test ./detector -update).
var update = flag.Bool("update", false, "rewrite the golden files in testdata")
