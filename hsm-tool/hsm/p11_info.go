//go:build cgo

package hsm

import (
	"fmt"
	"sort"

	"github.com/miekg/pkcs11"
)

// Info describes the module and every slot it reports, with the token and
// mechanisms of each slot that holds a token.
func (t *Token) Info() (Info, error) {
	var info Info
	err := t.do(func(ctx *pkcs11.Ctx, _ pkcs11.SessionHandle) error {
		mi, err := ctx.GetInfo()
		if err != nil {
			return fmt.Errorf("failed to read module info: %w", err)
		}
		info = Info{
			ModuleManufacturer: mi.ManufacturerID,
			ModuleDescription:  mi.LibraryDescription,
			LibraryVersion:     fmt.Sprintf("%d.%d", mi.LibraryVersion.Major, mi.LibraryVersion.Minor),
		}
		ids, err := ctx.GetSlotList(false)
		if err != nil {
			return fmt.Errorf("failed to list slots: %w", err)
		}
		for _, id := range ids {
			si, err := slotInfo(ctx, id)
			if err != nil {
				return err
			}
			info.Slots = append(info.Slots, si)
		}
		return nil
	})
	return info, err
}

// slotInfo describes one slot, its token and the token's mechanisms.
func slotInfo(ctx *pkcs11.Ctx, id uint) (SlotInfo, error) {
	s, err := ctx.GetSlotInfo(id)
	if err != nil {
		return SlotInfo{}, fmt.Errorf("failed to read slot %d: %w", id, err)
	}
	out := SlotInfo{ID: id, Description: s.SlotDescription}
	if s.Flags&pkcs11.CKF_TOKEN_PRESENT == 0 {
		return out, nil
	}
	ti, err := ctx.GetTokenInfo(id)
	if err != nil {
		return SlotInfo{}, fmt.Errorf("failed to read the token in slot %d: %w", id, err)
	}
	out.TokenLabel, out.TokenModel, out.TokenSerial = ti.Label, ti.Model, ti.SerialNumber
	mechs, err := ctx.GetMechanismList(id)
	if err != nil {
		return SlotInfo{}, fmt.Errorf("failed to list the mechanisms of slot %d: %w", id, err)
	}
	for _, m := range mechs {
		out.Mechanisms = append(out.Mechanisms, mechanismName(m.Mechanism))
	}
	sort.Strings(out.Mechanisms)
	return out, nil
}
