package templatefuncs

import (
	"fmt"
	"strings"
	"text/template/parse"
)

// effect is what a template function depends on besides its arguments. Rendering must be
// deterministic and offline: the same package renders to the same bytes on any machine, at
// any time, without a network. A template that calls a function with an effect is refused
// when it is parsed, naming the function and why.
type effect string

const (
	pure     effect = ""
	clock    effect = "reads the clock"
	timeZone effect = "works on dates and times, which depend on the clock, the local time zone or the time zone database"
	random   effect = "is random"
	network  effect = "resolves a host name on the network"
	hostOS   effect = "depends on the operating system rendering the template (use base, dir, clean, ext or isAbs)"
	slow     effect = "is a deliberately slow key derivation"
	// unclassified is a function effects does not list (from a newer sprig): refused
	// until someone has read it.
	unclassified effect = "is not known to depend on its arguments only"
)

// effects classifies every function of FuncMap: sprig's text-template functions, with
// Istio's helpers where they replace sprig's (env and expandenv read Options.Env, never the
// process). A test checks that the table names exactly FuncMap's functions, so a new
// sprig release cannot add an unclassified one.
var effects = map[string]effect{
	// Dates and times.
	"ago": clock, "now": clock, "durationRound": clock,
	"date": timeZone, "date_in_zone": timeZone, "dateInZone": timeZone, "htmlDate": timeZone, "htmlDateInZone": timeZone,
	"toDate": timeZone, "mustToDate": timeZone, "dateModify": timeZone, "date_modify": timeZone,
	"mustDateModify": timeZone, "must_date_modify": timeZone,
	"duration": pure, "unixEpoch": pure,

	// Randomness, including everything that makes a key, a salt or an IV.
	"randAlpha": random, "randAlphaNum": random, "randAscii": random, "randBytes": random, "randInt": random,
	"randNumeric": random, "shuffle": random, "uuidv4": random, "genPrivateKey": random, "genCA": random,
	"genCAWithKey": random, "genSelfSignedCert": random, "genSelfSignedCertWithKey": random, "genSignedCert": random,
	"genSignedCertWithKey": random, "bcrypt": random, "htpasswd": random, "encryptAES": random,
	"derivePassword": slow, "decryptAES": pure, "buildCustomCert": pure,

	// The outside world.
	"getHostByName": network,
	"osBase":        hostOS, "osClean": hostOS, "osDir": hostOS, "osExt": hostOS, "osIsAbs": hostOS,
	"env": pure, "expandenv": pure, // Istio's: Options.Env

	// Strings.
	"abbrev": pure, "abbrevboth": pure, "trunc": pure, "trim": pure, "upper": pure, "lower": pure, "title": pure,
	"untitle": pure, "substr": pure, "repeat": pure, "trimall": pure, "trimAll": pure, "trimSuffix": pure,
	"trimPrefix": pure, "nospace": pure, "initials": pure, "swapcase": pure, "snakecase": pure, "camelcase": pure,
	"kebabcase": pure, "wrap": pure, "wrapWith": pure, "contains": pure, "hasPrefix": pure, "hasSuffix": pure,
	"quote": pure, "squote": pure, "cat": pure, "indent": pure, "nindent": pure, "replace": pure, "plural": pure,
	"sha1sum": pure, "sha256sum": pure, "sha512sum": pure, "adler32sum": pure, "toString": pure, "hello": pure,
	"split": pure, "splitList": pure, "splitn": pure, "toStrings": pure, "join": pure, "sortAlpha": pure,
	"b64enc": pure, "b64dec": pure, "b32enc": pure, "b32dec": pure, "semver": pure, "semverCompare": pure,
	"urlParse": pure, "urlJoin": pure, "base": pure, "dir": pure, "clean": pure, "ext": pure, "isAbs": pure,
	"regexMatch": pure, "mustRegexMatch": pure, "regexFindAll": pure, "mustRegexFindAll": pure, "regexFind": pure,
	"mustRegexFind": pure, "regexReplaceAll": pure, "mustRegexReplaceAll": pure, "regexReplaceAllLiteral": pure,
	"mustRegexReplaceAllLiteral": pure, "regexSplit": pure, "mustRegexSplit": pure, "regexQuoteMeta": pure,

	// Numbers.
	"atoi": pure, "int64": pure, "int": pure, "float64": pure, "seq": pure, "toDecimal": pure, "until": pure,
	"untilStep": pure, "add1": pure, "add": pure, "sub": pure, "div": pure, "mod": pure, "mul": pure, "add1f": pure,
	"addf": pure, "subf": pure, "divf": pure, "mulf": pure, "biggest": pure, "max": pure, "min": pure, "maxf": pure,
	"minf": pure, "ceil": pure, "floor": pure, "round": pure,

	// Defaults, JSON, reflection, flow.
	"default": pure, "empty": pure, "coalesce": pure, "all": pure, "any": pure, "compact": pure, "mustCompact": pure,
	"fromJson": pure, "toJson": pure, "toPrettyJson": pure, "toRawJson": pure, "mustFromJson": pure,
	"mustToJson": pure, "mustToPrettyJson": pure, "mustToRawJson": pure, "ternary": pure, "deepCopy": pure,
	"mustDeepCopy": pure, "typeOf": pure, "typeIs": pure, "typeIsLike": pure, "kindOf": pure, "kindIs": pure,
	"deepEqual": pure, "fail": pure,

	// Lists and dictionaries (set, unset and the merges change their first argument, which
	// must be a map the template made: see meter.checkOwned).
	"tuple": pure, "list": pure, "dict": pure, "get": pure, "set": pure, "unset": pure, "hasKey": pure,
	"pluck": pure, "keys": pure, "pick": pure, "omit": pure, "merge": pure, "mergeOverwrite": pure,
	"mustMerge": pure, "mustMergeOverwrite": pure, "values": pure, "append": pure, "push": pure,
	"mustAppend": pure, "mustPush": pure, "prepend": pure, "mustPrepend": pure, "first": pure, "mustFirst": pure,
	"rest": pure, "mustRest": pure, "last": pure, "mustLast": pure, "initial": pure, "mustInitial": pure,
	"reverse": pure, "mustReverse": pure, "uniq": pure, "mustUniq": pure, "without": pure, "mustWithout": pure,
	"has": pure, "mustHas": pure, "slice": pure, "mustSlice": pure, "concat": pure, "dig": pure, "chunk": pure,
	"mustChunk": pure,

	// Istio's injection helpers (internal/inject/templatefuncs): all work on their
	// arguments only.
	"formatDuration": pure, "isset": pure, "excludeInboundPort": pure, "includeInboundPorts": pure,
	"kubevirtInterfaces": pure, "excludeInterfaces": pure, "applicationPorts": pure, "annotation": pure,
	"valueOrDefault": pure, "toJSON": pure, "fromJSON": pure, "structToJSON": pure, "protoToJSON": pure,
	"toYaml": pure, "directory": pure, "toLower": pure, "appendMultusNetwork": pure, "strdict": pure,
	"toJsonMap": pure, "mergeMaps": pure, "omitNil": pure, "otelResourceAttributes": pure,
}

// refusedMethod reports whether a field or method name of the template data may change
// it or reach around it (protobuf reflection, unmarshalling into a shared object); a
// template naming one is refused. Istio's templates only read fields and getters.
func refusedMethod(name string) bool {
	switch name {
	case "ProtoReflect", "ProtoMethods", "Mutable", "Reset", "Clear", "DeepCopyInto", "MarshalTo", "MarshalToSizedBuffer":
		return true
	}
	for _, prefix := range []string{"Set", "Unmarshal", "Merge", "Append", "XXX_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// refusedFunc stands in for a function with an effect, should one be called anyway.
func refusedFunc(name string, e effect) func(...any) (string, error) {
	return func(...any) (string, error) { return "", refusal(name, e) }
}

func refusal(name string, e effect) error {
	return fmt.Errorf("template function %s %s: meshfn renders deterministically and offline, so templates cannot use it", name, e)
}

// check walks a parsed template and returns an error for the first call of a function
// with an effect or of a refused method.
func check(root parse.Node) (err error) {
	eachNode(root, func(n parse.Node) {
		if err != nil {
			return
		}
		switch n := n.(type) {
		case *parse.IdentifierNode:
			if e := effects[n.Ident]; e != pure {
				err = refusal(n.Ident, e)
			}
		case *parse.FieldNode:
			err = checkFields(n.Ident)
		case *parse.ChainNode:
			err = checkFields(n.Field)
		case *parse.VariableNode:
			if len(n.Ident) > 1 {
				err = checkFields(n.Ident[1:])
			}
		}
	})
	return err
}

// eachNode calls f on n and every node under it.
func eachNode(n parse.Node, f func(parse.Node)) {
	var branch *parse.BranchNode
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			eachNode(c, f)
		}
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			eachNode(c, f)
		}
	case *parse.ActionNode:
		eachNode(n.Pipe, f)
	case *parse.CommandNode:
		for _, a := range n.Args {
			eachNode(a, f)
		}
	case *parse.ChainNode:
		eachNode(n.Node, f)
	case *parse.TemplateNode:
		eachNode(n.Pipe, f)
	case *parse.IfNode:
		branch = &n.BranchNode
	case *parse.RangeNode:
		branch = &n.BranchNode
	case *parse.WithNode:
		branch = &n.BranchNode
	}
	f(n)
	if branch != nil {
		eachNode(branch.Pipe, f)
		eachNode(branch.List, f)
		eachNode(branch.ElseList, f)
	}
}

func checkFields(names []string) error {
	for _, name := range names {
		if refusedMethod(name) {
			return fmt.Errorf("template field or method %s: templates may read the template data but not change it", name)
		}
		if name == "Local" {
			return fmt.Errorf("template field or method Local: a time in the local time zone depends on the machine " +
				"rendering the template (the times of the template data are in UTC)")
		}
	}
	return nil
}
