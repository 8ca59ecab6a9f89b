package schema

import (
	"math"
	"testing"
)

// TestPlanTasksAgainstPlans checks the task data against the plans' text:
// how many tasks each plan lists, and a sample of their departments.
func TestPlanTasksAgainstPlans(t *testing.T) {
	want := map[string]int{
		"yaan":      22, // 14 numbered tasks, 4 要素保障, 4 优化环境, each with 〔责任单位〕
		"qianjiang": 64, // (一)…(二十五) and the 39 rows of 附件2 重点任务分工
		"gangcheng": 39, // 25 body tasks, 6 reforms, 4 factors, 4 pilots
		"liuzhou":   22, // 1.…22., each with 〔牵头单位〕
		"kunming":   28, // 1.…28.
	}
	for plan, n := range want {
		tasks := PlanTasks(plan)
		if len(tasks) != n {
			t.Errorf("%s: %d tasks, the plan lists %d", plan, len(tasks), n)
		}
		seen := map[string]bool{}
		p, _ := TaskPlanByID(plan)
		for _, task := range tasks {
			if seen[task.Number] {
				t.Errorf("%s: task %s twice", plan, task.Number)
			}
			seen[task.Number] = true
			if ps := ValidateRecord(KindTask, p.Unit, task, ValidationContext{}); len(ps) > 0 {
				t.Errorf("%s %s: %v", plan, task.Number, ps)
			}
			if task.Text == "" {
				t.Errorf("%s %s: no text", plan, task.Number)
			}
			if task.Lead == "" && plan != "gangcheng" {
				t.Errorf("%s %s: no lead department", plan, task.Number)
			}
		}
	}
	if got := len(PlanTasks("")); got != 175 {
		t.Errorf("%d tasks in all, want 175", got)
	}
	for _, c := range []struct{ plan, number, title, lead, co, deadline string }{
		{"yaan", "1", "落实政府兜底线职能", "市民政局、市卫生健康委、市财政局、市医疗保障局", "", "2022"},
		{"yaan", "五(一)", "优化政务服务环境", "市政务服务和大数据局、市市场监督管理局、市民政局、市卫生健康委、市发展改革委、市统计局", "", "2025"},
		{"qianjiang", "(二)", "统筹兜住底线", "区民政局、区卫生健康委", "区人力社保局、区财政局、区残联", "2025"},
		{"qianjiang", "附件2-39", "按照国、市标准,贯彻落实养老产业统计制度,积极开展统计分析并向社会发布养老产业相关统计数据", "区统计局",
			"区卫生健康委、区民政局、区发展改革委、区经济信息委、区住房城乡建委、区市场监管局、区残联", "2025"},
		{"gangcheng", "附件4-2", "开展家庭托育点发展试点", "区发展改革局、区卫生健康局", "", "2025"},
		{"liuzhou", "9", "提高人才要素供给能力", "市人力资源和社会保障局", "", "2025"},
		{"kunming", "21", "廣泛凝聚多方合力", "市總工會、團市委、市殘聯、市紅十字會、市計生協、市民政局、市衛生健康委", "", "2025"},
	} {
		task, ok := findTask(c.plan, c.number)
		if !ok {
			t.Errorf("%s %s missing", c.plan, c.number)
			continue
		}
		if task.Title != c.title || task.Lead != c.lead || task.Co != c.co || task.Deadline != c.deadline {
			t.Errorf("%s %s = %q / %q / %q / %q, want %q / %q / %q / %q", c.plan, c.number,
				task.Title, task.Lead, task.Co, task.Deadline, c.title, c.lead, c.co, c.deadline)
		}
	}
}

func findTask(plan, number string) (Task, bool) {
	for _, t := range PlanTasks(plan) {
		if t.Number == number {
			return t, true
		}
	}
	return Task{}, false
}

// TestPlanProjectsAgainstPlans checks the projects against the plans'
// totals: 黔江 "总计16个,总投资23486万元。其中,养老项目3个、投资20972万元,托育项目13个、
// 投资2514万元"; 钢城 10627 and 6711.98 万元, 1575 万元 of central funds requested.
func TestPlanProjectsAgainstPlans(t *testing.T) {
	q := PlanProjects("qianjiang")
	var total, elderly, childcare float64
	var nElderly, nChild int
	for _, p := range q {
		total += p.Project.InvestTotal
		switch {
		case p.Project.Beds > 0 && p.Project.Places == 0:
			elderly += p.Project.InvestTotal
			nElderly++
		case p.Project.Places > 0 && p.Project.Beds == 0:
			childcare += p.Project.InvestTotal
			nChild++
		default:
			t.Errorf("黔江 %s: neither beds nor places alone", p.Number)
		}
	}
	if len(q) != 16 || total != 23486 || nElderly != 3 || elderly != 20972 || nChild != 13 || childcare != 2514 {
		t.Errorf("黔江: %d projects, %g 万元 (养老 %d, %g; 托育 %d, %g)", len(q), total, nElderly, elderly, nChild, childcare)
	}
	g := PlanProjects("gangcheng")
	if len(g) != 2 || g[0].Project.InvestTotal != 10627 || g[0].Project.InvestCentral != 1575 ||
		math.Abs(g[1].Project.InvestTotal-6711.98) > 1e-9 || g[1].Project.InvestCentral != 0 {
		t.Errorf("钢城: %+v", g)
	}
	if g[0].Project.Beds != 350 || g[1].Project.Beds != 200 {
		t.Errorf("钢城 beds: %d, %d; want 350, 200", g[0].Project.Beds, g[1].Project.Beds)
	}
	for _, p := range PlanProjects("") {
		pr := p.Project
		pr.Status = ProjectPlanning
		if ps := ValidateRecord(KindProject, p.Unit, pr, ValidationContext{Divisions: planDivisions(t)}); len(ps) > 0 {
			t.Errorf("%s %s: %v", pr.Plan, p.Number, ps)
		}
	}
}

// planDivisions is the registry with 黔江 and 钢城's townships the
// projects stand in, as the national file has them.
func planDivisions(t *testing.T) *Divisions {
	t.Helper()
	d := NewDivisions()
	for _, u := range []Unit{
		{Code: "37", Name: "山东省"}, {Code: "3701", Name: "济南市"}, {Code: "370117", Name: "钢城区"},
		{Code: "50", Name: "重庆市"}, {Code: "5001", Name: "市辖区"}, {Code: "500114", Name: "黔江区"},
		{Code: "500114001", Name: "城东街道"}, {Code: "500114002", Name: "城南街道"}, {Code: "500114003", Name: "城西街道"},
		{Code: "500114004", Name: "正阳街道"}, {Code: "500114005", Name: "舟白街道"},
	} {
		u.Level = u.Code.Level()
		if len(u.Code) > 2 {
			u.Parent = u.Code.Parent()
		}
		if err := d.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	return d
}
