package yamlpatch

import "testing"

func TestFromJSON(t *testing.T) {
	cases := []struct{ name, json, want string }{{
		name: "keys keep the JSON order",
		json: `{"z":1,"apiVersion":"v1","a":{"y":true,"b":[1,2.5,"x"]},"m":null,"e":{},"l":[]}`,
		want: `z: 1
apiVersion: v1
a:
  "y": true
  b:
  - 1
  - 2.5
  - x
m: null
e: {}
l: []
`,
	}, {
		name: "ambiguous strings quoted",
		json: `{"a":"true","b":"1337","c":"","d":"on","e":"0755","f":"1.10","g":"plain","h":"two\nlines\n","on":"x"}`,
		want: `a: "true"
b: "1337"
c: ""
d: "on"
e: "0755"
f: "1.10"
g: plain
h: |
  two
  lines
"on": x
`,
	}, {
		name: "numbers written as JSON would, integral ones as integers",
		json: `{"a":15020,"b":1.502e4,"c":2.0,"d":-0.25,"e":1e-7,"f":1e21,"g":123456789012345678901234}`,
		want: `a: 15020
b: 15020
c: 2
d: -0.25
e: 1e-07
f: 1e+21
g: 123456789012345678901234
`,
	}, {
		name: "duplicate keys: last value at the first place",
		json: `{"a":1,"b":2,"a":3}`,
		want: "a: 3\nb: 2\n",
	}, {
		name: "top-level list",
		json: ` [ {"name":"x","image":"y"}, "s" ] `,
		want: "- name: x\n  image: \"y\"\n- s\n",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := FromJSON([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if got := n.MustString(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestFromJSONErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":}`, `{"a":1}{}`, `[1,]`, `{"a":1} x`, `nul`} {
		if n, err := FromJSON([]byte(in)); err == nil {
			t.Errorf("FromJSON(%q) = %q, want an error", in, n.MustString())
		}
	}
}
