package templatefuncs

import (
	"strconv"
	"text/template"
	"text/template/parse"
)

// stepFunc is the function a template calls first in every pass through a range body and
// in every execution of a template (its own or one it calls), with the number of nodes
// that body holds: the execution is charged for each pass by its size (meter.step), so
// loops and template calls are bounded whatever the template. Branches (if, with) run at
// most once per pass of what holds them and need no step of their own. The result goes
// into a variable of the same name, not into the output.
const stepFunc = "_meshfnStep"

// addSteps puts the step calls into a parsed template.
func addSteps(root *parse.ListNode) error {
	t, err := template.New(stepFunc).Funcs(template.FuncMap{stepFunc: func(int) struct{} { return struct{}{} }}).
		Parse("{{ $" + stepFunc + " := " + stepFunc + " 0 }}")
	if err != nil {
		return err
	}
	step := t.Tree.Root.Nodes[0].(*parse.ActionNode)
	prepend := func(l *parse.ListNode, weight int) {
		a := step.Copy().(*parse.ActionNode)
		n := a.Pipe.Cmds[0].Args[1].(*parse.NumberNode)
		n.Int64, n.Uint64, n.Float64, n.Text = int64(weight), uint64(weight), float64(weight), strconv.Itoa(weight)
		n.IsUint, n.IsFloat = true, true
		l.Nodes = append([]parse.Node{a}, l.Nodes...)
	}
	var weigh func(n parse.Node) int
	weigh = func(n parse.Node) int {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return 0
			}
			w := 0
			for _, c := range n.Nodes {
				w += weigh(c)
			}
			return w
		case *parse.ActionNode:
			return 1 + weighPipe(n.Pipe)
		case *parse.IfNode:
			return 1 + weighPipe(n.Pipe) + weigh(n.List) + weigh(n.ElseList)
		case *parse.WithNode:
			return 1 + weighPipe(n.Pipe) + weigh(n.List) + weigh(n.ElseList)
		case *parse.RangeNode:
			body := weigh(n.List)
			if n.List != nil {
				prepend(n.List, body)
			}
			return 1 + weighPipe(n.Pipe) + body + weigh(n.ElseList)
		case *parse.TemplateNode:
			return 1 + weighPipe(n.Pipe)
		}
		return 1
	}
	prepend(root, weigh(root))
	return err
}

// weighPipe counts the commands and arguments of a pipeline.
func weighPipe(p *parse.PipeNode) int {
	if p == nil {
		return 0
	}
	w := 0
	for _, c := range p.Cmds {
		w += 1 + len(c.Args)
	}
	return w
}
