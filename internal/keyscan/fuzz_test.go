package keyscan_test

import (
	"bytes"
	"testing"

	"github.com/meshfn/meshfn/internal/keyscan"
)

// FuzzFind: any text is scanned without a panic, and a finding's line is in the text.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"", "MC4CAQAwBQYDK2VwBCIEIJ4xhfcwA2fkiu/HrR2th3qhYufM8k3VIJrucHlG+/Wi",
		"-----begin private key-----", "# MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n#  BKcwggSj", "302e020100300506032b6570",
		"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", "TUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0M="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 1<<16 {
			return
		}
		if found, ok := keyscan.Find(text); ok && (found.Line < 1 || found.Line > bytes.Count(text, []byte("\n"))+1) {
			t.Errorf("line %d out of the text", found.Line)
		}
	})
}
