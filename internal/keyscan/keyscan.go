// Package keyscan finds private key material in text, wherever and however it is
// written: a PEM private key header in any case, and base64 (standard or URL-safe, on
// one line or spread over several, after any prefix) or hex that decodes to a PKCS#8,
// PKCS#1, SEC 1, PKCS#12, encrypted PKCS#8 or OpenSSH private key, also when it is
// encoded twice (a Kubernetes Secret's base64 of a PEM key) or cut short. It says what it
// found and on which line, never the key.
//
// A gzip stream found that way is inflated and searched too, and so are openssl's text
// form of a key and a JSON Web Key's private part.
//
// It is the one place meshfn decides whether text holds a private key: hsm-tool and
// generate-ca-secrets refuse a CABundle, a certificate file or a chain that does.
package keyscan

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Finding is key material found in a text: what it is and where, never the key itself.
type Finding struct {
	// What is the kind of key material: "a PEM private key header", "a PKCS#8 private
	// key in base64", ...
	What string
	// Line is the line of the text it starts on, counted from 1.
	Line int
}

func (f Finding) String() string {
	if f.Line == 0 {
		return f.What
	}
	return fmt.Sprintf("%s, line %d", f.What, f.Line)
}

// maxDepth bounds how many encodings are peeled off: base64 of base64 of DER is found,
// and the work stays within a few times the text's size.
const maxDepth = 3

// Find returns the first key material in text.
func Find(text []byte) (Finding, bool) {
	what, at, ok := (&scan{}).find(text, 0)
	if !ok {
		return Finding{}, false
	}
	return Finding{What: what, Line: 1 + bytes.Count(text[:at], []byte("\n"))}, true
}

// FindString is Find of a string.
func FindString(text string) (Finding, bool) { return Find([]byte(text)) }

// pemHeader matches the header of a PEM private key in any case and spacing: "BEGIN
// PRIVATE KEY", "begin rsa private key", "BEGIN ENCRYPTED PRIVATE KEY", "BEGIN OPENSSH
// PRIVATE KEY", "BEGIN PGP PRIVATE KEY BLOCK", ...
var pemHeader = regexp.MustCompile(`(?i)BEGIN[ \t]+(?:[A-Z0-9]+[ \t]+)*PRIVATE[ \t]+KEY`)

// opensslText matches the header of a private key as `openssl pkey -text` prints it
// ("Private-Key: (256 bit)", "RSA Private-Key: (2048 bit, 2 primes)").
var opensslText = regexp.MustCompile(`(?i)PRIVATE-KEY:[ \t]*\(`)

// jwkPrivate matches the private parameter ("d") of a JSON Web Key, in JSON or YAML.
var jwkPrivate = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])"?d"?[ \t]*:[ \t]*"?[A-Za-z0-9_-]{32,}`)

// scan is one Find: what it has inflated so far.
type scan struct {
	inflated int
}

// find returns what it found in text and the offset where it starts; depth counts the
// encodings already peeled off.
func (sc *scan) find(text []byte, depth int) (what string, at int, ok bool) {
	if what, at, ok := findMarker(text); ok {
		return what, at, true
	}
	if at, ok := findJWK(text); ok {
		return "a JSON Web Key with its private part", at, true
	}
	for _, enc := range encodings {
		for _, r := range enc.runs(text) {
			if what, i, ok := sc.decodeAndFind(enc, r.text, depth); ok {
				return what + " in " + enc.name, int(r.pos[i]), true
			}
		}
	}
	return "", 0, false
}

// findMarker finds a PEM private key header or openssl's text form of a key, trying the
// expressions only where "private" is (in any case): a case-insensitive expression over
// all the text is slow.
func findMarker(text []byte) (string, int, bool) {
	lower := make([]byte, len(text))
	for i, c := range text {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for from := 0; ; {
		i := bytes.Index(lower[from:], []byte("private"))
		if i < 0 {
			return "", 0, false
		}
		i += from
		// BEGIN and the words between it and PRIVATE are within a line before it.
		start := bytes.LastIndexByte(lower[:i], '\n') + 1
		end := min(len(text), i+len("private")+16)
		if loc := pemHeader.FindIndex(text[start:end]); loc != nil {
			return "a PEM private key header", start + loc[0], true
		}
		if loc := opensslText.FindIndex(text[i:end]); loc != nil {
			return "a private key as openssl prints it", i, true
		}
		from = i + 1
	}
}

// findJWK finds the private parameter of a JSON Web Key near a "kty" member.
func findJWK(text []byte) (int, bool) {
	for from := 0; ; {
		i := bytes.Index(text[from:], []byte("kty"))
		if i < 0 {
			return 0, false
		}
		i += from
		start, end := max(0, i-2048), min(len(text), i+2048)
		if jwkPrivate.Match(text[start:end]) {
			return i, true
		}
		from = i + 1
	}
}

// run is a stretch of text in one encoding's alphabet, with the characters that may
// split it (white space, comment signs) taken out, and where each of its characters is
// in the text.
type run struct {
	text []byte
	pos  []int32
}

// encoding is a text encoding of bytes that key material hides in.
type encoding struct {
	name string
	// value maps a character of the alphabet to its value, -1 outside it.
	value [256]int8
	// bits is the bits per character; group is the characters that decode to whole bytes.
	bits, group int
	// minRun is the shortest run worth decoding: a key's first structure.
	minRun int
	// splitters may sit inside an encoded key without ending it: line breaks and the
	// indentation and comment signs around them, and for hex the colons of openssl's
	// dumps ("30:82:04:bd").
	splitters string
}

var encodings = []*encoding{newEncoding("base64", 6, 4, 16, " \t\r\n#"), newEncoding("hex", 4, 2, 32, " \t\r\n#:")}

func newEncoding(name string, bits, group, minRun int, splitters string) *encoding {
	e := &encoding{name: name, bits: bits, group: group, minRun: minRun, splitters: splitters}
	for i := range e.value {
		e.value[i] = -1
	}
	if name == "hex" {
		for i, c := range "0123456789abcdef" {
			e.value[c] = int8(i)
		}
		for i, c := range "ABCDEF" {
			e.value[c] = int8(10 + i)
		}
		return e
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" {
		e.value[c] = int8(i)
	}
	// Standard and URL-safe base64 both.
	e.value['+'], e.value['-'], e.value['/'], e.value['_'] = 62, 62, 63, 63
	return e
}

// runs returns the stretches of text in the alphabet, splitters taken out.
func (e *encoding) runs(text []byte) []run {
	var out []run
	var cur run
	flush := func() {
		if len(cur.text) >= e.minRun {
			out = append(out, cur)
		}
		cur = run{}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case e.value[c] >= 0:
			cur.text = append(cur.text, c)
			cur.pos = append(cur.pos, int32(i))
		case len(cur.text) > 0 && strings.IndexByte(e.splitters, c) >= 0:
		default:
			flush()
		}
	}
	flush()
	return out
}

// decode decodes s from its first character, as far as whole bytes go.
func (e *encoding) decode(s []byte) []byte {
	out := make([]byte, 0, len(s)*e.bits/8)
	var acc uint32
	var n int
	for _, c := range s {
		acc = acc<<e.bits | uint32(e.value[c])
		n += e.bits
		if n >= 8 {
			n -= 8
			out = append(out, byte(acc>>n))
			acc &= 1<<n - 1
		}
	}
	return out
}

// decodeAndFind decodes the run at every alignment (an encoded key may start anywhere
// in it) and looks for key material in what it decodes to, then in that as text. It
// returns what it found and the index in s of the character it starts at.
func (sc *scan) decodeAndFind(e *encoding, s []byte, depth int) (string, int, bool) {
	for k := 0; k < e.group && k < len(s); k++ {
		b := e.decode(s[k:])
		if what, at, ok := findDER(b); ok {
			return what, k + at*8/e.bits, true
		}
		if depth+1 < maxDepth {
			if what, at, ok := sc.find(b, depth+1); ok {
				return what, k + at*8/e.bits, true
			}
			if what, at, ok := sc.findGzipped(b, depth+1); ok {
				return what, k + at*8/e.bits, true
			}
		}
	}
	return "", 0, false
}

// gzipMagic starts a gzip stream (RFC 1952: ID1, ID2, deflate).
var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// maxGunzip bounds what one gzip stream is inflated to (a key is a few kilobytes), and
// maxInflated what one Find inflates in all, so that gzip bombs cost little.
const (
	maxGunzip   = 64 << 10
	maxInflated = 1 << 20
)

// findGzipped looks for key material in the first gzip stream of b, inflated.
func (sc *scan) findGzipped(b []byte, depth int) (string, int, bool) {
	i := bytes.Index(b, gzipMagic)
	if i < 0 || sc.inflated >= maxInflated {
		return "", 0, false
	}
	r, err := gzip.NewReader(bytes.NewReader(b[i:]))
	if err != nil {
		return "", 0, false
	}
	r.Multistream(false)
	inflated, _ := io.ReadAll(io.LimitReader(r, maxGunzip)) // a cut stream still shows its start
	sc.inflated += len(inflated)
	if what, _, ok := findDER(inflated); ok {
		return what + ", gzipped,", i, true
	}
	if what, _, ok := sc.find(inflated, depth); ok {
		return what + ", gzipped,", i, true
	}
	return "", 0, false
}
