package jsonvalue

import (
	"reflect"
	"sync"
)

// planCache holds one conversion function per type, built once. Functions are built one
// at a time, build getting those of the types a type holds from sub; a type that refers
// to itself gets, while its function is being built, one that looks the finished
// function up when it runs.
type planCache[F any] struct {
	fns      sync.Map // reflect.Type -> F
	mu       sync.Mutex
	building map[reflect.Type]bool
	build    func(t reflect.Type, sub func(reflect.Type) F) F
	// later makes a function that calls the one get returns.
	later func(get func() F) F
}

func (c *planCache[F]) get(t reflect.Type) F {
	if f, ok := c.fns.Load(t); ok {
		return f.(F)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.locked(t)
}

// locked is get, with c.mu held.
func (c *planCache[F]) locked(t reflect.Type) F {
	if f, ok := c.fns.Load(t); ok {
		return f.(F)
	}
	if c.building[t] {
		return c.later(func() F { f, _ := c.fns.Load(t); return f.(F) })
	}
	if c.building == nil {
		c.building = map[reflect.Type]bool{}
	}
	c.building[t] = true
	f := c.build(t, c.locked)
	delete(c.building, t)
	c.fns.Store(t, f)
	return f
}
