package syncclient

import (
	"context"
	"errors"
	"net"
	"syscall"

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
	case unreachable(err):
		return "无法连接服务器(网络不通),数据已保存在本机,联网后会自动同步"
	}
	return "同步中断,数据已保存在本机,稍后会自动重试"
}

// unreachable reports whether err says the network kept the device from
// the server: the connection was refused, the server's name is unknown,
// the network is unreachable, or the network timed out (dialling, or a
// server that stopped answering mid-sync). It reads the error's types,
// not its text, through any wrapping.
//
// Traps: the caller's own deadline (context.DeadlineExceeded) also says
// Timeout and is not counted, while a dial cut short by it is, as the
// network's "i/o timeout" it becomes. On Windows the refusals are
// Winsock errors, which syscall.ECONNREFUSED and ENETUNREACH do not
// match, so only names and timeouts are recognised there.
func unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	// The first net.Error in the chain: gorilla hides read and write
	// timeouts in a type of its own that unwraps to nothing but still
	// says Timeout.
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && ne != context.DeadlineExceeded
}
