package syncclient

import (
	"errors"
	"strings"

	"laoxiao/schema"
)

// Explain turns a sync error into plain Chinese for the user.
func Explain(err error) string {
	var se *schema.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotEnrolled):
		return "本机尚未在服务器注册,请先输入服务器地址和注册码"
	case errors.As(err, &se):
		switch se.Code {
		case schema.ErrAuth:
			return "服务器拒绝了本机的凭证(可能已被注销),请联系区县管理员重新注册"
		case schema.ErrVersion:
			return "软件版本与服务器不一致,请更新软件"
		case schema.ErrShuttingDown, schema.ErrOverloaded:
			return "服务器暂时繁忙或正在维护,稍后会自动重试"
		}
		return "服务器报告错误:" + se.Message
	case strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "no such host"),
		strings.Contains(err.Error(), "i/o timeout"), strings.Contains(err.Error(), "network is unreachable"):
		return "无法连接服务器(网络不通),数据已保存在本机,联网后会自动同步"
	}
	return "同步中断,数据已保存在本机,稍后会自动重试"
}
