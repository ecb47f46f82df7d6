package proxyconfig

import (
	"errors"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
)

// ValidateDuration accepts a duration of at least 1ms given in whole
// milliseconds (Istio's agent.ValidateDuration). A nil duration is zero.
func ValidateDuration(d *durationpb.Duration) error {
	dur := d.AsDuration()
	if dur < time.Millisecond {
		return errors.New("duration must be greater than 1ms")
	}
	if dur%time.Millisecond != 0 {
		return errors.New("only durations to ms precision are supported")
	}
	return nil
}

// validateDrainDuration is Istio's agent.ValidateDrainDuration: a valid
// duration in whole seconds. The result is a list, as in Istio.
func validateDrainDuration(d *durationpb.Duration) error {
	if err := ValidateDuration(d); err != nil {
		return appendErrors(nil, prefixed(err, "invalid drain duration:"))
	}
	if d.AsDuration()%time.Second != 0 {
		return appendErrors(nil, errors.New("drain time only supports durations to seconds precision"))
	}
	return nil
}
