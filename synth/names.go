package synth

import (
	"strings"

	"laoxiao/schema"
)

// The names generated people and visits take.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	// citySurnames are the first 37: the city plan has always drawn from
	// those, and a longer list would change every name it gives a seed.
	citySurnames = surnames[:37]
	oldGiven     = []string{"秀英", "桂英", "玉兰", "淑珍", "德明", "国强", "建国", "志华", "长林", "文才", "学文", "明芳",
		"素芬", "凤英", "桂兰", "世明", "正清", "光荣", "德华", "永福", "玉珍", "兴发", "树林", "金花", "少云", "家富"}
	babyGiven = []string{"子涵", "梓萱", "一诺", "浩宇", "欣怡", "宇轩", "若汐", "沐阳", "诗琪", "俊熙", "雨桐", "思远"}
	visitors  = []string{"李娟", "王成", "张晓燕", "陈志刚"}
	outcomes  = []string{"身体状况良好", "已协助购买常用药品", "血压偏高，已提醒按时服药", "反映屋顶漏雨，已报村委会",
		"独自在家，精神状态良好", "已联系家属，近期回家探望", "行动不便，已申请居家上门服务", "生活用品充足"}
	newbornOutcomes = []string{"母婴情况良好，已指导母乳喂养", "已指导脐带护理", "体重增长正常", "已告知预防接种时间"}
)

// shortName drops the committee suffix: 林口村委会 → 林口村.
func shortName(u schema.Unit) string {
	n := u.Name
	for _, suf := range []string{"社区居民委员会", "社区居委会", "居委会", "村民委员会", "村委会"} {
		if strings.HasSuffix(n, suf) {
			base := strings.TrimSuffix(n, suf)
			if strings.HasPrefix(suf, "社区") || suf == "居委会" {
				return base + "社区"
			}
			return base + "村"
		}
	}
	return n
}
