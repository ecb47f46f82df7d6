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

// addSteps puts the step calls into a parsed template; fm holds stepFunc.
func addSteps(root *parse.ListNode, fm template.FuncMap) error {
	var err error
	prepend := func(l *parse.ListNode, weight int) {
		t, perr := template.New(stepFunc).Funcs(fm).Parse("{{ $" + stepFunc + " := " + stepFunc + " " + strconv.Itoa(weight) + " }}")
		if perr != nil {
			err = perr
			return
		}
		l.Nodes = append([]parse.Node{t.Tree.Root.Nodes[0]}, l.Nodes...)
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
