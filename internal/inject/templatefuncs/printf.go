package templatefuncs

import (
	"reflect"
	"unicode/utf8"
)

// printfVerb is a verb of a printf format and the argument it prints, with its flags,
// width and precision (given in the format or taken from arguments by *).
type printfVerb struct {
	verb               rune
	arg                int
	width, prec        int
	sharp, plus, space bool
}

// scanPrintf reads a printf format as fmt.Sprintf does: the verbs that print an argument,
// and the arguments left over, which fmt prints after the text with %v. Argument indexes
// ([n]), widths and precisions from arguments (*) and fmt's limits (a width or precision
// above a million is not one) are followed.
func scanPrintf(format string, args []reflect.Value) (verbs []printfVerb, extra []reflect.Value) {
	s := printfScan{format: format, args: args}
	for s.i < len(format) {
		for s.i < len(format) && format[s.i] != '%' {
			s.i++
		}
		if s.i >= len(format) {
			break
		}
		s.i++
		v, ok := s.verb()
		if ok {
			verbs = append(verbs, v)
		}
	}
	if !s.reordered {
		extra = args[min(s.argNum, len(args)):]
	}
	return verbs, extra
}

type printfScan struct {
	format     string
	args       []reflect.Value
	i, argNum  int
	afterIndex bool
	reordered  bool
	goodArgNum bool
}

// verb reads one verb after its %; ok is false when it prints no argument.
func (s *printfScan) verb() (v printfVerb, ok bool) {
	s.goodArgNum = true
	for ; s.i < len(s.format); s.i++ {
		switch s.format[s.i] {
		case '#':
			v.sharp = true
		case '+':
			v.plus = true
		case ' ':
			v.space = true
		case '0', '-':
		default:
			goto flagsDone
		}
	}
flagsDone:
	s.argNumber()
	if s.i < len(s.format) && s.format[s.i] == '*' {
		s.i++
		v.width = abs(s.intArg())
		s.afterIndex = false
	} else if w, present := s.number(); present {
		v.width = w
		if s.afterIndex {
			s.goodArgNum = false
		}
	}
	if s.i+1 < len(s.format) && s.format[s.i] == '.' {
		s.i++
		if s.afterIndex {
			s.goodArgNum = false
		}
		s.argNumber()
		if s.i < len(s.format) && s.format[s.i] == '*' {
			s.i++
			v.prec = max(s.intArg(), 0)
			s.afterIndex = false
		} else {
			v.prec, _ = s.number()
		}
	}
	if !s.afterIndex {
		s.argNumber()
	}
	if s.i >= len(s.format) {
		return v, false
	}
	verb, size := utf8.DecodeRuneInString(s.format[s.i:])
	s.i += size
	v.verb = verb
	if verb == '%' || !s.goodArgNum || s.argNum >= len(s.args) {
		return v, false
	}
	v.arg = s.argNum
	s.argNum++
	return v, true
}

// number reads a width or precision; past a million fmt gives up on the rest of the
// format.
func (s *printfScan) number() (n int, present bool) {
	for ; s.i < len(s.format) && '0' <= s.format[s.i] && s.format[s.i] <= '9'; s.i++ {
		if n > 1e6 {
			s.i = len(s.format)
			return 0, false
		}
		n = n*10 + int(s.format[s.i]-'0')
		present = true
	}
	return n, present
}

// argNumber reads an argument index, [n].
func (s *printfScan) argNumber() {
	s.afterIndex = false
	if s.i >= len(s.format) || s.format[s.i] != '[' {
		return
	}
	s.reordered = true
	end := s.i + 1
	for end < len(s.format) && s.format[end] != ']' {
		end++
	}
	if end >= len(s.format) || len(s.format[s.i:]) < 3 {
		s.i++
		s.goodArgNum = false
		return
	}
	n, ok := 0, end > s.i+1
	for _, c := range s.format[s.i+1 : end] {
		if c < '0' || c > '9' || n > 1e6 {
			ok = false
			break
		}
		n = n*10 + int(c-'0')
	}
	s.i = end + 1
	if ok && 1 <= n && n <= len(s.args) {
		s.argNum, s.afterIndex = n-1, true
		return
	}
	s.goodArgNum = false
	s.afterIndex = ok
}

// intArg takes a width or precision from the next argument: fmt takes an integer of at
// most a million, and prints %!(BADWIDTH) for anything else.
func (s *printfScan) intArg() int {
	if s.argNum >= len(s.args) {
		return 0
	}
	a := s.args[s.argNum]
	s.argNum++
	for a.Kind() == reflect.Interface && !a.IsNil() {
		a = a.Elem()
	}
	var n int64
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = a.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() > 1e6 {
			return 0
		}
		n = int64(a.Uint())
	}
	if n > 1e6 || n < -1e6 {
		return 0
	}
	return int(n)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// checkPrintf fails when printf(format, args...) would print a memory address or a
// protocol buffer (see printable), verb by verb.
func checkPrintf(format string, args []reflect.Value) error {
	verbs, extra := scanPrintf(format, args)
	for _, v := range verbs {
		if err := printable(args[v.arg], v.verb, false); err != nil {
			return err
		}
	}
	for _, a := range extra {
		if err := printable(a, 'v', false); err != nil {
			return err
		}
	}
	return nil
}
