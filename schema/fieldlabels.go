package schema

// label is a field's name in both languages.
type label struct{ en, zh string }

// fieldLabels names every field of every kind; init in validate.go panics
// at start-up when a record type gains a field without a label here.
var fieldLabels = map[Kind]map[string]label{
	KindFacility: {
		"name": {"facility name", "机构名称"}, "kind": {"facility kind", "机构类型"},
		"ownership": {"ownership", "举办性质"}, "inclusive": {"inclusive (普惠) flag", "普惠标识"},
		"filing": {"filing status", "备案状态"}, "opened": {"opening date", "开业日期"},
		"status": {"operating status", "运营状态"}, "medical": {"medical-care flag", "医养结合标识"},
		"demo": {"demonstration flag", "示范标识"}, "address": {"address", "地址"}, "project": {"project", "所属项目"},
		"merged_into": {"merged into", "已合并到"}, "merged_by": {"merged by", "合并人"},
		"merged_at": {"merge time", "合并时间"}, "merge_reason": {"merge reason", "合并原因"},
		"merge_filled": {"fields filled in on the survivor", "合并时补入保留记录的字段"},
	},
	KindCapacity: {
		"facility": {"facility", "所属机构"}, "period": {"report month", "填报月份"},
		"beds_total": {"total beds", "床位总数"}, "beds_nursing": {"nursing beds", "护理型床位"},
		"beds_occupied": {"occupied beds", "已入住床位"}, "places_total": {"total childcare places", "托位总数"},
		"places_inclusive":  {"inclusive childcare places", "普惠托位"},
		"children_enrolled": {"children enrolled", "在托婴幼儿"},
		"care_staff":        {"care staff", "护理(保育)人员"}, "certified_staff": {"certified staff", "持证(培训合格)人员"},
	},
	KindPerson: {
		"name": {"name", "姓名"}, "id_number": {"ID number", "身份证号"}, "birth_date": {"birth date", "出生日期"},
		"categories": {"categories", "服务对象类别"}, "support_mode": {"support mode", "供养方式"},
		"wants_centralized": {"wish for centralized support", "集中供养意愿"}, "note": {"note", "备注"},
		"merged_into": {"merged into", "已合并到"}, "merged_by": {"merged by", "合并人"},
		"merged_at": {"merge time", "合并时间"}, "merge_reason": {"merge reason", "合并原因"},
		"merge_filled": {"fields filled in on the survivor", "合并时补入保留记录的字段"},
		"moved_to":     {"moved to", "已迁至"}, "moved_to_unit": {"unit moved to", "迁入单位"},
		"moved_from": {"moved from", "迁自"}, "moved_from_unit": {"unit moved from", "迁出单位"},
		"moved_by": {"moved by", "迁移操作人"}, "moved_at": {"move time", "迁移时间"}, "move_reason": {"move reason", "迁移原因"},
		"status": {"status", "在册状态"}, "left_on": {"date died or moved away", "去世或迁出日期"},
		"erased_on": {"date identity erased", "身份信息删除日期"},
	},
	KindVisit: {
		"person": {"person visited", "探访对象"}, "date": {"visit date", "探访日期"},
		"visitor": {"visitor", "探访人"}, "kind": {"visit kind", "探访类型"},
		"outcome": {"outcome", "探访结果"}, "note": {"note", "备注"},
		"supersedes": {"corrected visit", "被更正的探访记录"},
	},
	KindPopulation: {
		"year": {"year", "年份"}, "resident": {"resident population", "常住人口"},
		"aged60": {"people aged 60+", "60岁及以上人口"}, "aged65": {"people aged 65+", "65岁及以上人口"},
		"aged0_3": {"children aged 0-3", "0-3岁婴幼儿"}, "births": {"births", "出生人口"},
	},
	KindReported: {
		"indicator": {"indicator", "指标"}, "period": {"period", "填报期"},
		"value": {"value", "填报值"}, "department": {"department", "填报部门"},
	},
	KindTarget: {
		"indicator": {"indicator", "指标"}, "year": {"target year", "目标年份"},
		"value": {"target value", "目标值"}, "value_text": {"target as written", "目标值原文"},
		"baseline_year": {"baseline year", "基期年份"}, "baseline": {"baseline", "基期值"},
		"baseline_text": {"baseline as written", "基期值原文"}, "has_baseline": {"baseline flag", "有基期值"},
		"attribute": {"binding or expected", "指标属性"}, "lead": {"lead departments", "牵头单位"},
		"cooperating": {"co-departments", "配合单位"}, "scope": {"target scope", "目标适用范围"},
	},
	KindLock: {
		"period": {"locked period", "锁定期间"}, "by": {"locked by", "锁定人"},
		"at": {"lock time", "锁定时间"}, "reason": {"reason", "锁定原因"},
	},
	KindTask: {
		"plan": {"plan", "所属规划"}, "number": {"task number", "任务序号"}, "title": {"task", "任务名称"},
		"text": {"task text", "任务内容"}, "lead": {"lead departments", "牵头单位"},
		"co": {"co-operating departments", "配合单位"}, "deadline": {"deadline", "完成时限"},
	},
	KindProgress: {
		"task": {"task", "所属任务"}, "date": {"report date", "填报日期"}, "status": {"progress status", "进展状态"},
		"percent": {"percent done", "完成进度"}, "note": {"progress note", "进展说明"},
	},
	KindProject: {
		"name": {"project name", "项目名称"}, "kind": {"project kind", "项目类型"},
		"invest_total": {"total investment", "总投资"}, "invest_central": {"central funds", "中央资金"},
		"invest_local": {"local funds", "地方资金"}, "beds": {"beds added", "新增床位"},
		"places": {"childcare places added", "新增托位"}, "start_year": {"start year", "开工年份"},
		"end_year": {"end year", "完工年份"}, "implementer": {"implementing unit", "组织实施单位"},
		"location": {"location", "建设地点"}, "content": {"content and scale", "建设内容和规模"},
		"status": {"project status", "项目状态"}, "percent": {"percent built", "建设进度"},
		"note": {"note", "备注"}, "plan": {"source plan", "所属规划"},
	},
	KindUnlock: {
		"lock": {"lock", "所解除的锁定"}, "period": {"unlocked period", "解锁期间"},
		"by": {"unlocked by", "解锁人"}, "at": {"unlock time", "解锁时间"}, "reason": {"reason", "解锁原因"},
	},
}

// FieldLabel returns a record field's name in English and in Chinese, the
// words validation messages use and the desktop shows beside a refused
// change. A field the kind does not have (a typo, a field from a newer
// version) comes back as its own name in both, so callers can always
// show something.
func FieldLabel(k Kind, field string) (en, zh string) {
	if l, ok := fieldLabels[k][field]; ok {
		return l.en, l.zh
	}
	return field, field
}
