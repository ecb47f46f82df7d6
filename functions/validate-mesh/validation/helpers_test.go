package validation

import "time"

// fixedNow is the time tests run at, so that certificate checks do not depend on the clock.
var fixedNow = time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)
