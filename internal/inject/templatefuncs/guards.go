package templatefuncs

import (
	"math"
	"reflect"
	"strings"
)

// guard estimates, from a call's arguments, the size in bytes of what the function will
// allocate, for the functions whose result can be far larger than their arguments.
type guard func(args []reflect.Value) int64

// guards prices the functions that multiply their input: a number of repetitions, a
// width, a replacement for every match, or work that grows with the square of a list.
// The regular expression functions also pay for compiling their pattern (see
// withPattern).
var guards = withPattern(map[string]guard{
	"until":     func(a []reflect.Value) int64 { return mul(8, rangeLen(0, a[0].Int(), sign(a[0].Int()))) },
	"untilStep": func(a []reflect.Value) int64 { return mul(8, rangeLen(a[0].Int(), a[1].Int(), a[2].Int())) },
	"seq":       seqSize,
	"repeat":    func(a []reflect.Value) int64 { return mul(a[0].Int(), int64(a[1].Len())) },
	// Istio's indent(n, s) and sprig's nindent(n, s): n spaces on every line.
	"indent":  func(a []reflect.Value) int64 { return indentSize(a[0].Int(), a[1].String()) },
	"nindent": func(a []reflect.Value) int64 { return indentSize(a[0].Int(), a[1].String()) },
	// wrapWith(width, separator, text): a separator every width characters.
	"wrapWith": func(a []reflect.Value) int64 {
		return mul(int64(a[2].Len())/max(a[0].Int(), 1)+1, int64(a[1].Len())) + int64(a[2].Len())
	},
	// replace(old, new, src).
	"replace": func(a []reflect.Value) int64 {
		return mul(int64(a[2].Len())/max(int64(a[0].Len()), 1)+1, int64(a[1].Len())) + int64(a[2].Len())
	},
	"regexReplaceAll":            regexReplaceSize,
	"mustRegexReplaceAll":        regexReplaceSize,
	"regexReplaceAllLiteral":     regexReplaceSize,
	"mustRegexReplaceAllLiteral": regexReplaceSize,
	"printf":                     printfSize,
	// join(separator, list): the separator between elements, and their text.
	"join": func(a []reflect.Value) int64 { return mul(int64(a[0].Len()), listLen(a[1])) + fmtSize(a[1:]) },
	// Splitting makes a string (16 bytes and more) per piece, at worst one per byte; split
	// a map entry and a key per piece; the regular expressions the indexes of each match.
	"split":          func(a []reflect.Value) int64 { return mul(96, int64(a[1].Len())+1) },
	"splitList":      func(a []reflect.Value) int64 { return mul(32, int64(a[1].Len())+1) },
	"splitn":         func(a []reflect.Value) int64 { return mul(96, pieces(int64(a[2].Len())+1, a[1].Int())) },
	"regexSplit":     matchesSize,
	"mustRegexSplit": matchesSize,
	// regexFindAll(regex, s, n): a string and the indexes of each match, at worst one match
	// at every position.
	"regexFindAll":     matchesSize,
	"mustRegexFindAll": matchesSize,
	// Parsing JSON makes a map or list of up to 24 bytes for each byte of text.
	"fromJson":     func(a []reflect.Value) int64 { return mul(24, int64(a[0].Len())) },
	"mustFromJson": func(a []reflect.Value) int64 { return mul(24, int64(a[0].Len())) },
	"fromJSON":     func(a []reflect.Value) int64 { return mul(24, int64(a[0].Len())) },
	// What encoders and fmt make of what they are given: walked, as they do (see textSizer).
	"toJson": jsonSize, "toRawJson": jsonSize, "mustToJson": jsonSize, "mustToRawJson": jsonSize,
	"toJSON": jsonSize, "structToJSON": jsonSize, "toJsonMap": jsonSize, "protoToJSON": jsonSize,
	"toPrettyJson": prettyJSONSize, "mustToPrettyJson": prettyJSONSize, "toYaml": yamlSize,
	"toString": fmtSize, "cat": fmtSize, "print": fmtSize, "println": fmtSize, "toStrings": fmtSize,
	"sortAlpha": fmtSize, "quote": quotedSize, "squote": quotedSize, "urlquery": quotedSize,
	"html": escapeSize, "js": escapeSize,
	// uniq compares every element with those kept, and without every element with what
	// it leaves out: the length times what is compared.
	"uniq":        func(a []reflect.Value) int64 { return mul(listLen(a[0]), walked(a[0])) },
	"mustUniq":    func(a []reflect.Value) int64 { return mul(listLen(a[0]), walked(a[0])) },
	"without":     func(a []reflect.Value) int64 { return mul(listLen(a[0]), walked(a[1])) },
	"mustWithout": func(a []reflect.Value) int64 { return mul(listLen(a[0]), walked(a[1])) },
})

// patternFuncs are the functions that compile their first argument as a regular
// expression.
var patternFuncs = []string{"regexMatch", "mustRegexMatch", "regexFindAll", "mustRegexFindAll", "regexFind",
	"mustRegexFind", "regexReplaceAll", "mustRegexReplaceAll", "regexReplaceAllLiteral",
	"mustRegexReplaceAllLiteral", "regexSplit", "mustRegexSplit"}

// withPattern adds to the guards of patternFuncs what compiling the pattern makes: a
// program of up to 256 bytes for each of its bytes.
func withPattern(guards map[string]guard) map[string]guard {
	for _, name := range patternFuncs {
		g := guards[name]
		guards[name] = func(a []reflect.Value) int64 {
			n := mul(256, int64(a[0].Len()))
			if g != nil {
				n += g(a)
			}
			return n
		}
	}
	return guards
}

// rangeLen is the number of values from start towards stop by step, as sprig's
// untilStep makes them (none when step points away from stop or is zero). Computed in
// floating point: it is an estimate that must not overflow.
func rangeLen(start, stop, step int64) int64 {
	if step == 0 || stop == start || (step > 0) != (stop > start) {
		return 0
	}
	n := math.Ceil((float64(stop) - float64(start)) / float64(step))
	if n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}

func sign(n int64) int64 {
	if n < 0 {
		return -1
	}
	return 1
}

// seqSize prices sprig's seq (1 to 3 integers, as in the seq command): the numbers, then
// their text.
func seqSize(a []reflect.Value) int64 {
	p := a[0]
	var start, step, stop int64 = 1, 1, 0
	switch p.Len() {
	case 1:
		stop = p.Index(0).Int()
	case 2:
		start, stop = p.Index(0).Int(), p.Index(1).Int()
	case 3:
		start, step, stop = p.Index(0).Int(), p.Index(1).Int(), p.Index(2).Int()
	default:
		return 0
	}
	if stop < start && p.Len() != 3 {
		step = -1
	}
	return mul(48, rangeLen(start, stop+sign(step), step))
}

func indentSize(n int64, s string) int64 {
	if n < 0 {
		n = -n
	}
	return mul(n, int64(strings.Count(s, "\n"))+1) + int64(len(s))
}

// regexReplaceSize prices regexReplaceAll(regex, s, replacement): at worst a match at
// every position, each replaced by the replacement with its $-references expanded
// (together no longer than s per reference).
func regexReplaceSize(a []reflect.Value) int64 {
	n, repl := int64(a[1].Len()), a[2].String()
	return mul(n+1, int64(len(repl))) + mul(int64(strings.Count(repl, "$")), n) + n
}

// matchesSize prices a regular expression's matches in s (its second argument) as
// regexFindAll and regexSplit make them: up to n (the third), at worst one at every
// position, each a string and its indexes (about 96 bytes).
func matchesSize(a []reflect.Value) int64 {
	return mul(96, pieces(int64(a[1].Len())+1, a[2].Int())) + int64(a[1].Len())
}

// pieces is how many pieces a split or search makes at most: up to limit when it is
// positive, else up to all.
func pieces(all, limit int64) int64 {
	if limit >= 0 {
		return min(all, limit)
	}
	return all
}

// printfSize prices printf(format, args...): the format, and for each verb what fmt
// makes of its argument, every value in it padded to the verb's width and precision
// (fmt applies them to each element of a list or map, and takes them from arguments
// with *).
func printfSize(a []reflect.Value) int64 {
	format := a[0].String()
	var args []reflect.Value
	if len(a) > 1 {
		for i := range a[1].Len() {
			args = append(args, a[1].Index(i))
		}
	}
	total := int64(len(format))
	verbs, extra := scanPrintf(format, args)
	for _, v := range verbs {
		perByte, perNode := int64(1), int64(32)
		switch v.verb {
		case 'q':
			perByte = 4
		case 'x', 'X':
			perByte = 5 // "% #x": 0x41 and a space a byte
		case 'f', 'F':
			perNode = 330 // 1e308
		case 'b':
			perNode = 72
		}
		if v.sharp || v.plus {
			perNode += 64 // %#v writes type names, %+v field names
		}
		s := &textSizer{perByte: perByte, perNode: perNode + int64(v.width+v.prec), limit: fuelLimit}
		s.size(args[v.arg], 0)
		total += s.n
	}
	return total + fmtSize(extra)
}

// walked is the memory a value holds, walked up to the budget.
func walked(v reflect.Value) int64 { return (&sizer{limit: fuelLimit}).size(v, 0) }

// listLen is the length of a list argument, 0 if it is not one.
func listLen(v reflect.Value) int64 {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		return int64(v.Len())
	}
	return 0
}

// mul multiplies non-negative sizes, saturating instead of overflowing.
func mul(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	if a != 0 && b > (1<<62)/a {
		return 1 << 62
	}
	return a * b
}
