package yamlpatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FromJSON converts a JSON document into a new block-style YAML node whose keys keep the
// order they have in the JSON text, for objects that are created from scratch. Strings
// YAML 1.1 would misread are double-quoted and integral numbers are written as integers;
// of duplicate keys the last value wins, at the place of the first.
func FromJSON(data []byte) (*yaml.RNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, fmt.Errorf("yamlpatch: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("yamlpatch: unexpected data after the JSON document")
	}
	return yaml.NewRNode(n), nil
}

// decodeNode reads one JSON value from dec and returns it as a YAML node.
func decodeNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		return decodeObject(dec)
	case json.Delim('['):
		return decodeArray(dec)
	}
	return build(tok)
}

// decodeObject reads the members of a JSON object whose '{' has been read.
func decodeObject(dec *json.Decoder) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		v, err := decodeNode(dec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if i := keyIndex(n.Content, key); i >= 0 {
			n.Content[i+1] = v
			continue
		}
		n.Content = append(n.Content, stringNode(key), v)
	}
	_, err := dec.Token() // '}'
	return n, err
}

// decodeArray reads the elements of a JSON array whose '[' has been read.
func decodeArray(dec *json.Decoder) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for dec.More() {
		v, err := decodeNode(dec)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", len(n.Content), err)
		}
		n.Content = append(n.Content, v)
	}
	_, err := dec.Token() // ']'
	return n, err
}

// keyIndex returns the index of the key node for key in mapping content, or -1.
func keyIndex(content []*yaml.Node, key string) int {
	for i := 0; i+1 < len(content); i += 2 {
		if content[i].Value == key {
			return i
		}
	}
	return -1
}
