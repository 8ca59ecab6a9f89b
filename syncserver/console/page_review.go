package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/review"
)

// maxReasonRunes bounds a lock or unlock reason: it is shown to township
// staff whose save is refused, so a sentence, not an essay.
const maxReasonRunes = 200

// reviewData is the 审核 page: the review list of a unit's period, the
// locks in force over the unit, and the lock and unlock forms.
type reviewData struct {
	*view
	Target  schema.Unit
	Period  string
	Review  *review.Review
	Rows    []reviewRow
	Locks   []lockRow            // in force, on the unit, above or under it
	Locked  *syncserver.LockInfo // the lock on exactly this unit and period, if any
	Done    string               // what the last form did
	Problem string
	Reason  string // the reason typed, kept when the form is refused
}

// lockRow is a lock in force; Mine says whether it lies within the
// account's unit, so the page links only to periods the account may open
// (a city's lock over a county is the city's to lift).
type lockRow struct {
	syncserver.LockInfo
	Mine bool
}

// reviewRow is a township's line with its lock resolved, so the page
// says who locked it and why instead of an id.
type reviewRow struct {
	review.Township
	LockInfo *syncserver.LockInfo
}

// defaultReviewPeriod is the month before the console's clock (China
// time): offices review and lock a month once it has ended.
func (c *Console) defaultReviewPeriod() string {
	t := c.now().In(schema.ChinaTime)
	return t.AddDate(0, 0, -t.Day()).Format(schema.MonthLayout)
}

// reviewTarget reads the unit (within the account's) and the period of a
// page or form; it answers the request itself and returns false when they
// are wrong or outside the account.
func (c *Console) reviewTarget(w http.ResponseWriter, r *http.Request, v *view) (schema.Unit, string, bool) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return schema.Unit{}, "", false
	}
	if unit.Code.Level() > schema.LevelTownship {
		c.fail(w, r, v, http.StatusBadRequest, "审核按乡镇(街道)列出,请选择区县、市或乡镇(街道),不能选择村(社区):"+string(unit.Code))
		return schema.Unit{}, "", false
	}
	period := strings.TrimSpace(r.FormValue("period"))
	if period == "" {
		period = c.defaultReviewPeriod()
	}
	if _, err := review.PreviousPeriod(period); err != nil {
		c.fail(w, r, v, http.StatusBadRequest, "期间不正确(应为月份 2025-12 或年份 2025):"+period)
		return schema.Unit{}, "", false
	}
	return unit, period, true
}

func (c *Console) reviewPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, period, ok := c.reviewTarget(w, r, v)
	if !ok {
		return
	}
	c.showReview(w, r, v, http.StatusOK, reviewData{Target: unit, Period: period})
}

// showReview fills d with the review list and the locks and renders it.
func (c *Console) showReview(w http.ResponseWriter, r *http.Request, v *view, status int, d reviewData) {
	rv, err := c.srv.Review(r.Context(), d.Target.Code, d.Period)
	if err != nil {
		c.internal(w, r, v, "生成审核清单", err)
		return
	}
	all, err := c.srv.Locks(r.Context(), d.Target.Code)
	if err != nil {
		c.internal(w, r, v, "读取锁定", err)
		return
	}
	byID := map[string]*syncserver.LockInfo{}
	for i := range all {
		l := &all[i]
		if !l.Active {
			continue
		}
		d.Locks = append(d.Locks, lockRow{LockInfo: *l, Mine: l.Unit.Within(v.Account.Unit)})
		byID[l.ID] = l
		if l.Unit == d.Target.Code && l.Period == d.Period {
			d.Locked = l
		}
	}
	for _, t := range rv.Townships {
		d.Rows = append(d.Rows, reviewRow{Township: t, LockInfo: byID[t.Lock]})
	}
	v.Menu, v.Title = "review", "审核"
	d.view, d.Review = v, rv
	c.render(w, status, "review", d)
}

// lockForm reads a lock or unlock form: unit and period as the review
// page reads them, and a reason, which is required because township staff
// see it when their save is refused. problem is set for a bad reason.
func (c *Console) lockForm(w http.ResponseWriter, r *http.Request, v *view) (d reviewData, req syncserver.LockRequest, problem string, ok bool) {
	unit, period, ok := c.reviewTarget(w, r, v)
	if !ok {
		return d, req, "", false
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	d = reviewData{Target: unit, Period: period, Reason: reason}
	switch {
	case reason == "":
		problem = "请填写原因:乡镇(街道)保存被拒时会看到它。"
	case utf8.RuneCountInString(reason) > maxReasonRunes:
		problem = "原因太长,请不超过 200 个字。"
	}
	// The account's name is the lock's by: township staff see who to ask.
	return d, syncserver.LockRequest{Unit: unit.Code, Period: period, Reason: reason, By: v.Account.Name}, problem, true
}

// reviewLock locks the unit's period with a reason.
func (c *Console) reviewLock(w http.ResponseWriter, r *http.Request, v *view) {
	c.lockAction(w, r, v, "锁定", "乡镇(街道)下次同步后将无法修改该期间的数据。",
		func(ctx context.Context, req syncserver.LockRequest) error {
			_, err := c.srv.Lock(ctx, req)
			return err
		})
}

// reviewUnlock lifts the lock on exactly the unit's period, with a reason.
func (c *Console) reviewUnlock(w http.ResponseWriter, r *http.Request, v *view) {
	c.lockAction(w, r, v, "解锁", "乡镇(街道)下次同步后可以更正该期间的数据。",
		func(ctx context.Context, req syncserver.LockRequest) error {
			_, err := c.srv.Unlock(ctx, req)
			return err
		})
}

// lockAction reads a lock or unlock form, does it, and shows the review
// page again with what happened (verb and then say what it means for
// townships) or why it could not be done.
func (c *Console) lockAction(w http.ResponseWriter, r *http.Request, v *view, verb, then string,
	do func(context.Context, syncserver.LockRequest) error) {
	d, req, problem, ok := c.lockForm(w, r, v)
	if !ok {
		return
	}
	if problem != "" {
		d.Problem = problem
		c.showReview(w, r, v, http.StatusBadRequest, d)
		return
	}
	err := do(r.Context(), req)
	if status, msg := lockProblem(err); msg != "" {
		if status == http.StatusInternalServerError {
			c.internal(w, r, v, verb, err)
			return
		}
		d.Problem = "无法" + verb + ":" + msg
		c.showReview(w, r, v, status, d)
		return
	}
	// The path says which: /review/lock or /review/unlock.
	c.log.Info("period lock changed in the console", "action", r.URL.Path, "account", v.Account.Name, "unit", req.Unit, "period", req.Period)
	d.Reason, d.Done = "", "已"+verb+" "+d.Target.Name+" "+req.Period+"。"+then
	c.showReview(w, r, v, http.StatusOK, d)
}

// lockProblem turns Lock's and Unlock's errors into a status and a
// message for the page; msg is "" when err is nil. A server fault is 500
// and its text is not shown.
func lockProblem(err error) (status int, msg string) {
	var re *syncserver.RefusedError
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.As(err, &re):
		if re.Rejection.ReasonZh == "" {
			return http.StatusBadRequest, re.Error()
		}
		return http.StatusBadRequest, re.Rejection.ReasonZh
	case errors.Is(err, syncserver.ErrAlreadyLocked):
		return http.StatusConflict, "该单位该期间已经锁定。"
	case errors.Is(err, syncserver.ErrNoLock):
		return http.StatusConflict, "该单位该期间没有锁定(上级单位的锁定须由上级解锁)。"
	default:
		return http.StatusInternalServerError, "内部错误"
	}
}
