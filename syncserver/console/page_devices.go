package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// Enrolment code lifetimes the form accepts, in hours.
const (
	defaultCodeHours = 7 * 24
	maxCodeHours     = 30 * 24
)

// devicesData is the 设备 page; NewCode is set right after a code was made.
type devicesData struct {
	*view
	Devices  []syncserver.DeviceInfo
	NewCode  string
	CodeFor  string
	Expires  time.Time
	Revoked  string
	Problem  string
	FormUnit string
	FormName string
}

// devicesIn lists the devices whose scope lies within the account's unit.
func (c *Console) devicesIn(ctx context.Context, v *view) ([]syncserver.DeviceInfo, error) {
	all, err := c.srv.ListDevices(ctx)
	if err != nil {
		return nil, err
	}
	var out []syncserver.DeviceInfo
	for _, d := range all {
		if d.Scope != "" && d.Scope.Within(v.Account.Unit) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (c *Console) showDevices(w http.ResponseWriter, r *http.Request, v *view, status int, d devicesData) {
	list, err := c.devicesIn(r.Context(), v)
	if err != nil {
		c.internal(w, r, v, "读取设备", err)
		return
	}
	v.Menu, v.Title = "devices", "设备"
	d.view, d.Devices = v, list
	c.render(w, status, "devices", d)
}

func (c *Console) devicesPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.showDevices(w, r, v, http.StatusOK, devicesData{})
}

// devicesCode makes a one-time enrolment code for a township (site) or an
// office under the account's unit, and shows it large with its expiry.
func (c *Console) devicesCode(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := store.Role(r.PostFormValue("role"))
	if role == "" {
		role = store.RoleSite
	}
	hours := defaultCodeHours
	if s := r.PostFormValue("hours"); s != "" {
		h, err := strconv.Atoi(s)
		if err != nil || h < 1 || h > maxCodeHours {
			c.showDevices(w, r, v, http.StatusBadRequest, devicesData{Problem: "有效期应为 1 到 720 小时。", FormUnit: string(unit.Code), FormName: name})
			return
		}
		hours = h
	}
	if name == "" {
		c.showDevices(w, r, v, http.StatusBadRequest, devicesData{Problem: "请填写设备名称(如 草坝镇民政办)。", FormUnit: string(unit.Code)})
		return
	}
	code, err := c.srv.NewEnrollCode(r.Context(), syncserver.CodeRequest{Unit: unit.Code, Name: name, Role: role, TTLHours: float64(hours)})
	if err != nil {
		// The registry's refusals (a site above township level, an
		// unknown role) are the user's to fix, not server faults.
		c.showDevices(w, r, v, http.StatusBadRequest, devicesData{Problem: "无法生成注册码:" + err.Error(), FormUnit: string(unit.Code), FormName: name})
		return
	}
	c.log.Info("enrolment code made in the console", "account", v.Account.Name, "unit", unit.Code, "role", role, "name", name)
	c.showDevices(w, r, v, http.StatusOK, devicesData{NewCode: code, CodeFor: unit.Name + " · " + name,
		Expires: c.now().Add(time.Duration(hours) * time.Hour)})
}

// devicesRevoke revokes a device under the account's unit; a device
// outside it is 403 even when its id is known.
func (c *Console) devicesRevoke(w http.ResponseWriter, r *http.Request, v *view) {
	id := r.PostFormValue("id")
	list, err := c.devicesIn(r.Context(), v)
	if err != nil {
		c.internal(w, r, v, "读取设备", err)
		return
	}
	var found *syncserver.DeviceInfo
	for i := range list {
		if list[i].ID == id {
			found = &list[i]
		}
	}
	if found == nil {
		c.fail(w, r, v, http.StatusForbidden, "无权停用该设备:它不在本账号管辖范围内或不存在。")
		return
	}
	if err := c.srv.Revoke(r.Context(), id); err != nil {
		c.internal(w, r, v, "停用设备", err)
		return
	}
	c.log.Info("device revoked in the console", "account", v.Account.Name, "device", id)
	c.showDevices(w, r, v, http.StatusOK, devicesData{Revoked: found.Name + "(" + string(found.Scope) + ")"})
}
