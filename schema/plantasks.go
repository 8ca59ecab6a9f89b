package schema

import "fmt"

// Tasks, task progress and projects: the second and third parts of the
// task breakdown table (任务分解表).
//
// A Task is one of a plan's tasks (主要任务/重点任务) as decomposed to a unit:
// the city or county office writes one task record per unit responsible
// for it (usually each county), with the plan's wording and departments.
// Tasks flow down to the devices below their unit, read-only there, like
// targets. Progress (任务进展) is a dated report on one task by the county
// or a township under it; many reports per task, the latest counts.
// A Project (重点项目) is a construction project where it is built, entered
// and updated by the township or county it stands in.

// ProgressStatus is where a task stands (进展状态).
type ProgressStatus string

// Progress statuses.
const (
	ProgressNotStarted ProgressStatus = "not_started" // 未启动
	ProgressUnderway   ProgressStatus = "underway"    // 推进中
	ProgressDone       ProgressStatus = "done"        // 已完成
	ProgressBehind     ProgressStatus = "behind"      // 滞后
)

// ProgressStatuses lists the statuses with labels, in the order forms offer them.
var ProgressStatuses = []Choice{{string(ProgressNotStarted), "未启动"}, {string(ProgressUnderway), "推进中"},
	{string(ProgressDone), "已完成"}, {string(ProgressBehind), "滞后"}}

// ProjectKind says whether a project builds anew or extends (项目类型).
type ProjectKind string

// Project kinds.
const (
	ProjectNew    ProjectKind = "new"    // 新建
	ProjectExtend ProjectKind = "extend" // 改扩建
)

// ProjectKinds lists the kinds with labels.
var ProjectKinds = []Choice{{string(ProjectNew), "新建"}, {string(ProjectExtend), "改扩建"}}

// ProjectStatus is how far a project is (项目状态).
type ProjectStatus string

// Project statuses, in the order a project passes through them.
const (
	ProjectPlanning ProjectStatus = "planning" // 谋划
	ProjectBuilding ProjectStatus = "building" // 在建
	ProjectBuilt    ProjectStatus = "built"    // 建成
	ProjectInUse    ProjectStatus = "in_use"   // 投用
)

// ProjectStatuses lists the statuses with labels.
var ProjectStatuses = []Choice{{string(ProjectPlanning), "谋划"}, {string(ProjectBuilding), "在建"},
	{string(ProjectBuilt), "建成"}, {string(ProjectInUse), "投用"}}

// Task is a plan's task as decomposed to the record's unit (任务). Its id
// is TaskID(unit, plan, number), so loading a plan twice rewrites the
// same records. Departments are kept as the plan writes them, joined by
// "、".
type Task struct {
	Plan     string `cbor:"plan"`     // plan id: yaan, qianjiang, gangcheng, liuzhou, kunming
	Number   string `cbor:"number"`   // as the plan numbers it: "1", "(二)", "附件2-3"
	Title    string `cbor:"title"`    // the task's heading as written
	Text     string `cbor:"text"`     // what the plan asks, as written (may be empty)
	Lead     string `cbor:"lead"`     // 牵头 (or 负责) departments
	Co       string `cbor:"co"`       // 配合 departments
	Deadline string `cbor:"deadline"` // YYYY, YYYY-MM or YYYY-MM-DD
}

// Progress is one report on a task (任务进展): the record's unit is the
// county or township reporting. Its id is a fresh id (NewID): a unit
// reports many times, and the latest report by date is its progress.
type Progress struct {
	Task    string         `cbor:"task"` // the task record's id
	Date    string         `cbor:"date"` // YYYY-MM-DD
	Status  ProgressStatus `cbor:"status"`
	Percent int64          `cbor:"percent"` // 0–100
	Note    string         `cbor:"note"`
}

// Project is a construction project (重点项目) at the record's unit, the
// township or county it is built in. Investment is in 万元.
type Project struct {
	Name          string        `cbor:"name"`
	Kind          ProjectKind   `cbor:"kind"`
	InvestTotal   float64       `cbor:"invest_total"`
	InvestCentral float64       `cbor:"invest_central"` // 中央资金 (requested or granted)
	InvestLocal   float64       `cbor:"invest_local"`   // 地方资金
	Beds          int64         `cbor:"beds"`           // 新增床位
	Places        int64         `cbor:"places"`         // 新增托位
	StartYear     int64         `cbor:"start_year"`
	EndYear       int64         `cbor:"end_year"`
	Implementer   string        `cbor:"implementer"` // 组织实施单位
	Location      string        `cbor:"location"`    // 建设地点 as written
	Content       string        `cbor:"content"`     // 建设内容和规模
	Status        ProjectStatus `cbor:"status"`
	Percent       int64         `cbor:"percent"` // 形象进度, 0–100
	Note          string        `cbor:"note"`
	Plan          string        `cbor:"plan"` // the plan that lists it, "" for a project entered locally
}

// TaskID is the id of a plan's task decomposed to unit.
func TaskID(unit Code, plan, number string) string {
	return fmt.Sprintf("task:%s:%s:%s", unit, plan, number)
}

// PlanProjectID is the id of a project a plan lists, so loading the
// plan again updates it instead of adding a copy. Projects entered at a
// site get a fresh id (NewID).
func PlanProjectID(plan, number string) string { return "prj:" + plan + ":" + number }

// progressUnitLevels: progress is reported by the county office or by a
// township (or village) under it.
var progressUnitLevels = []Level{LevelCounty, LevelTownship, LevelVillage}

// projectUnitLevels: a project stands in a township or village, or
// spans a county ("相关乡镇").
var projectUnitLevels = []Level{LevelCounty, LevelTownship, LevelVillage}

func (c *checker) task(t *Task) {
	c.text("plan", t.Plan)
	c.text("number", t.Number)
	c.text("title", t.Title)
	c.deadline("deadline", t.Deadline)
}

// deadline checks an optional YYYY, YYYY-MM or YYYY-MM-DD; deadlines
// may lie in the future.
func (c *checker) deadline(field, v string) {
	if v == "" {
		return
	}
	ok := isDate(v) || isMonth(v)
	if len(v) == 4 && allDigits(v) {
		var y int64
		fmt.Sscan(v, &y)
		c.year(field, y, true, false)
		return
	}
	if !ok {
		l := c.label(field)
		c.add(field, fmt.Sprintf("%s %q is not YYYY, YYYY-MM or YYYY-MM-DD", l.en, v),
			fmt.Sprintf("%s“%s”格式不正确(应为YYYY、YYYY-MM或YYYY-MM-DD)", l.zh, v))
	}
}

// percent checks a 0–100 whole percentage.
func (c *checker) percent(field string, v int64) {
	if v < 0 || v > 100 {
		l := c.label(field)
		c.add(field, fmt.Sprintf("%s (%d) must be between 0 and 100", l.en, v),
			fmt.Sprintf("%s(%d)应在0至100之间", l.zh, v))
	}
}

func (c *checker) progress(p *Progress) {
	c.text("task", p.Task)
	c.date("date", p.Date, true)
	c.enum("status", string(p.Status), ProgressStatuses, true)
	c.percent("percent", p.Percent)
	switch {
	case p.Status == ProgressDone && p.Percent != 100:
		c.add("percent", fmt.Sprintf("a finished task is 100%% done, not %d%%", p.Percent),
			fmt.Sprintf("进展状态为已完成时完成进度应为100%%(现为%d%%)", p.Percent))
	case p.Status == ProgressNotStarted && p.Percent != 0:
		c.add("percent", fmt.Sprintf("a task not started is 0%% done, not %d%%", p.Percent),
			fmt.Sprintf("进展状态为未启动时完成进度应为0%%(现为%d%%)", p.Percent))
	}
}

func (c *checker) project(p *Project) {
	c.text("name", p.Name)
	c.enum("kind", string(p.Kind), ProjectKinds, true)
	c.enum("status", string(p.Status), ProjectStatuses, true)
	c.value("invest_total", p.InvestTotal, false)
	c.value("invest_central", p.InvestCentral, false)
	c.value("invest_local", p.InvestLocal, false)
	// Rounded to the 万元 hundredths the plans write, so 6711.98 split
	// as 5000.99 + 1710.99 is not refused over a float's last bit.
	if parts := p.InvestCentral + p.InvestLocal; cents(parts) > cents(p.InvestTotal) {
		c.add("invest_central", fmt.Sprintf("central (%g) and local (%g) funds exceed the total investment (%g)", p.InvestCentral, p.InvestLocal, p.InvestTotal),
			fmt.Sprintf("中央资金(%g万元)与地方资金(%g万元)之和超过总投资(%g万元)", p.InvestCentral, p.InvestLocal, p.InvestTotal))
	}
	c.nonNegative("beds", p.Beds)
	c.nonNegative("places", p.Places)
	c.year("start_year", p.StartYear, false, false)
	c.year("end_year", p.EndYear, false, false)
	if p.StartYear != 0 && p.EndYear != 0 && p.EndYear < p.StartYear {
		c.add("end_year", fmt.Sprintf("end year %d is before start year %d", p.EndYear, p.StartYear),
			fmt.Sprintf("完工年份%d早于开工年份%d", p.EndYear, p.StartYear))
	}
	c.percent("percent", p.Percent)
	if (p.Status == ProjectBuilt || p.Status == ProjectInUse) && p.Percent != 100 {
		c.add("percent", fmt.Sprintf("a finished project is 100%% built, not %d%%", p.Percent),
			fmt.Sprintf("项目状态为%s时建设进度应为100%%(现为%d%%)", LabelOf(ProjectStatuses, string(p.Status)), p.Percent))
	}
}

// cents rounds 万元 to hundredths for comparing sums.
func cents(v float64) int64 {
	if v < 0 {
		return int64(v*100 - 0.5)
	}
	return int64(v*100 + 0.5)
}
