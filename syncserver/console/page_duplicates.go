package console

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/duplicates"
)

// duplicatesData is the 疑似重复 page under 审核: the candidate groups of a
// unit (syncserver duplicates) with a form per group to merge it into the
// record the office picks, and the merged records with a form to undo.
type duplicatesData struct {
	*view
	Target  schema.Unit
	Groups  []duplicates.Group
	Merged  []syncserver.MergedRecord
	Done    string
	Problem string
}

func (c *Console) duplicatesPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	c.showDuplicates(w, r, v, http.StatusOK, duplicatesData{Target: unit})
}

func (c *Console) showDuplicates(w http.ResponseWriter, r *http.Request, v *view, status int, d duplicatesData) {
	var err error
	if d.Groups, err = c.srv.Duplicates(r.Context(), d.Target.Code); err != nil {
		c.internal(w, r, v, "查找疑似重复记录", err)
		return
	}
	if d.Merged, err = c.srv.MergedRecords(r.Context(), d.Target.Code); err != nil {
		c.internal(w, r, v, "读取已合并记录", err)
		return
	}
	v.Menu, v.Title = "review", "疑似重复记录"
	d.view = v
	c.render(w, status, "duplicates", d)
}

// mergeReason reads the form's reason: optional, but kept short.
func mergeReason(r *http.Request) (string, string) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		return reason, "原因太长,请不超过 200 个字。"
	}
	return reason, ""
}

// duplicatesMerge merges every other member of a group into the survivor
// the office picked. The members come from the form; Merge itself checks
// each lies within the account's unit.
func (c *Console) duplicatesMerge(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := duplicatesData{Target: unit}
	survivor := r.PostFormValue("survivor")
	members := r.PostForm["member"]
	reason, problem := mergeReason(r)
	switch {
	case problem != "":
	case survivor == "":
		problem = "请选择要保留的记录。"
	case !slices.Contains(members, survivor) || len(members) < 2:
		problem = "要保留的记录不在该组中。"
	}
	if problem != "" {
		d.Problem = problem
		c.showDuplicates(w, r, v, http.StatusBadRequest, d)
		return
	}
	merged := 0
	for _, id := range members {
		if id == survivor {
			continue
		}
		_, err := c.srv.Merge(r.Context(), syncserver.MergeRequest{Unit: unit.Code, Survivor: survivor, Duplicate: id,
			Reason: reason, By: v.Account.Name})
		if c.mergeFailed(w, r, v, d, "合并", err) {
			return
		}
		merged++
	}
	c.log.Info("duplicates merged in the console", "account", v.Account.Name, "unit", unit.Code, "survivor", survivor, "merged", merged)
	d.Done = "已合并 " + strconv.Itoa(merged) + " 条重复记录。乡镇(街道)设备下次同步后显示合并后的记录,原记录的探访和床位填报计入保留的记录。"
	c.showDuplicates(w, r, v, http.StatusOK, d)
}

// duplicatesUnmerge undoes the merge of one record.
func (c *Console) duplicatesUnmerge(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := duplicatesData{Target: unit}
	reason, problem := mergeReason(r)
	if problem != "" {
		d.Problem = problem
		c.showDuplicates(w, r, v, http.StatusBadRequest, d)
		return
	}
	_, err := c.srv.Unmerge(r.Context(), syncserver.UnmergeRequest{Unit: unit.Code, Duplicate: r.PostFormValue("duplicate"),
		Reason: reason, By: v.Account.Name})
	if c.mergeFailed(w, r, v, d, "撤销合并", err) {
		return
	}
	c.log.Info("merge undone in the console", "account", v.Account.Name, "unit", unit.Code, "duplicate", r.PostFormValue("duplicate"))
	d.Done = "已撤销合并。两条记录重新分别计算。"
	c.showDuplicates(w, r, v, http.StatusOK, d)
}

// mergeFailed answers a failed merge or unmerge (verb says which) with
// the page and the reason, or as an internal error, and reports whether
// it answered; a nil err it leaves to the caller.
func (c *Console) mergeFailed(w http.ResponseWriter, r *http.Request, v *view, d duplicatesData, verb string, err error) bool {
	status, msg := mergeProblem(err)
	switch {
	case msg == "":
		return false
	case status == http.StatusInternalServerError:
		c.internal(w, r, v, verb, err)
	default:
		d.Problem = "无法" + verb + ":" + msg
		c.showDuplicates(w, r, v, status, d)
	}
	return true
}

// mergeProblem turns Merge's and Unmerge's errors into a status and a
// message for the page; msg is "" when err is nil.
func mergeProblem(err error) (status int, msg string) {
	if msg := refusal(err); msg != "" {
		return http.StatusBadRequest, msg
	}
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.Is(err, syncserver.ErrMergeRecord):
		return http.StatusNotFound, "本单位没有该记录(可能已删除,或不在本账号管辖范围内)。"
	case errors.Is(err, syncserver.ErrAlreadyMerged):
		return http.StatusConflict, "该记录已经合并。"
	case errors.Is(err, syncserver.ErrNotMerged):
		return http.StatusConflict, "该记录没有合并。"
	case errors.Is(err, syncserver.ErrSurvivorMerged):
		return http.StatusConflict, "要保留的记录本身已合并到其他记录,请选择其合并后的记录。"
	case errors.Is(err, syncserver.ErrMergeKinds):
		return http.StatusBadRequest, "服务对象和机构不能合并。"
	case errors.Is(err, syncserver.ErrMergeSelf):
		return http.StatusBadRequest, "不能与自身合并。"
	default:
		return http.StatusInternalServerError, "内部错误"
	}
}
