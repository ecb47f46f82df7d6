//go:build cgo

package hsm

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// Objects lists the objects the logged-in user can see, with their labels,
// ids, classes, key types and boolean attributes. It never reads CKA_VALUE or
// any other attribute that holds key or certificate material.
func (t *Token) Objects() ([]Object, error) {
	var out []Object
	err := t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		handles, err := findObjects(ctx, sh, nil)
		if err != nil {
			return err
		}
		for _, h := range handles {
			o, err := describeObject(ctx, sh, h)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list objects: %w", err)
	}
	sortObjects(out)
	return out, nil
}

// describeObject reads the non-secret attributes of one object.
func describeObject(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (Object, error) {
	var o Object
	class, ok, err := readUlong(ctx, sh, h, pkcs11.CKA_CLASS)
	if err != nil || !ok {
		return o, fmt.Errorf("failed to read the class of object %d: %w", h, orMissing(err))
	}
	o.Class = className(class)
	label, _, err := readAttr(ctx, sh, h, pkcs11.CKA_LABEL)
	if err != nil {
		return o, err
	}
	id, _, err := readAttr(ctx, sh, h, pkcs11.CKA_ID)
	if err != nil {
		return o, err
	}
	o.Label, o.ID = string(label), hex.EncodeToString(id)
	switch class {
	case pkcs11.CKO_PUBLIC_KEY, pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_SECRET_KEY:
		kt, ok, err := readUlong(ctx, sh, h, pkcs11.CKA_KEY_TYPE)
		if err != nil {
			return o, err
		}
		if ok {
			o.KeyType = keyTypeName(kt)
		}
	}
	if v, ok, err := readAttr(ctx, sh, h, pkcs11.CKA_ALLOWED_MECHANISMS); err != nil {
		return o, err
	} else if ok {
		o.AllowedMechanisms = decodeMechanisms(v)
	}
	o.Attributes = map[string]bool{}
	for _, name := range sortedBoolAttrNames() {
		v, ok, err := readAttr(ctx, sh, h, boolAttrTypes[name])
		if err != nil {
			return o, err
		}
		if ok && len(v) == 1 {
			o.Attributes[name] = v[0] != 0
		}
	}
	return o, nil
}

// orMissing explains a failed attribute read.
func orMissing(err error) error {
	if err != nil {
		return err
	}
	return errors.New("attribute missing")
}

// readAttr reads one attribute. ok is false when the object does not have it
// or will not reveal it (CKR_ATTRIBUTE_TYPE_INVALID, CKR_ATTRIBUTE_SENSITIVE).
// Attributes are read one at a time because a single unavailable attribute
// fails a whole C_GetAttributeValue call.
func readAttr(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) ([]byte, bool, error) {
	attrs, err := ctx.GetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	switch {
	case isCKR(err, pkcs11.CKR_ATTRIBUTE_TYPE_INVALID), isCKR(err, pkcs11.CKR_ATTRIBUTE_SENSITIVE):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("failed to read attribute 0x%X of object %d: %w", typ, h, err)
	case len(attrs) != 1:
		return nil, false, fmt.Errorf("failed to read attribute 0x%X of object %d: got %d values", typ, h, len(attrs))
	}
	return attrs[0].Value, true, nil
}

// readUlong reads a CK_ULONG attribute (native byte order, as the module
// stores it).
func readUlong(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) (uint, bool, error) {
	v, ok, err := readAttr(ctx, sh, h, typ)
	if err != nil || !ok {
		return 0, ok, err
	}
	switch len(v) {
	case 8:
		return uint(binary.NativeEndian.Uint64(v)), true, nil
	case 4:
		return uint(binary.NativeEndian.Uint32(v)), true, nil
	}
	return 0, false, fmt.Errorf("failed to read attribute 0x%X of object %d: %d bytes is not a CK_ULONG", typ, h, len(v))
}

// findObjects returns the handles of the objects matching tmpl (all objects
// when tmpl is empty).
func findObjects(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, fmt.Errorf("failed to search objects: %w", err)
	}
	var all []pkcs11.ObjectHandle
	for {
		batch, _, err := ctx.FindObjects(sh, 64)
		if err != nil {
			_ = ctx.FindObjectsFinal(sh)
			return nil, fmt.Errorf("failed to search objects: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		all = append(all, batch...)
	}
	if err := ctx.FindObjectsFinal(sh); err != nil {
		return nil, fmt.Errorf("failed to finish the object search: %w", err)
	}
	return all, nil
}

// labelTemplate matches objects by label and, when class is non-nil, class.
func labelTemplate(label string, class *uint) []*pkcs11.Attribute {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_LABEL, label)}
	if class != nil {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_CLASS, *class))
	}
	return tmpl
}

// checkLabelFree fails with ErrExists when an object with label (and class,
// if non-nil) exists.
func checkLabelFree(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, label string, class *uint) error {
	hs, err := findObjects(ctx, sh, labelTemplate(label, class))
	if err != nil {
		return err
	}
	if len(hs) > 0 {
		return ErrExists
	}
	return nil
}

// findOne returns the single object of class labelled label: ErrNotFound when
// there is none, an error when the label is ambiguous.
func findOne(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, class uint, label string) (pkcs11.ObjectHandle, error) {
	hs, err := findObjects(ctx, sh, labelTemplate(label, &class))
	if err != nil {
		return 0, err
	}
	switch len(hs) {
	case 0:
		return 0, fmt.Errorf("no %s labelled %q: %w", className(class), label, ErrNotFound)
	case 1:
		return hs[0], nil
	}
	return 0, fmt.Errorf("%d objects of class %s are labelled %q; refusing to pick one", len(hs), className(class), label)
}

// ulongPtr returns a pointer to a class constant, for labelTemplate.
func ulongPtr(v uint) *uint { return &v }

// decodeMechanisms reads a CK_MECHANISM_TYPE array by CKM_ name.
func decodeMechanisms(v []byte) []string {
	size := len(pkcs11.NewAttribute(0, uint(0)).Value)
	var names []string
	for i := 0; i+size <= len(v); i += size {
		var m uint64
		if size == 8 {
			m = binary.NativeEndian.Uint64(v[i:])
		} else {
			m = uint64(binary.NativeEndian.Uint32(v[i:]))
		}
		names = append(names, mechanismName(uint(m)))
	}
	return names
}
