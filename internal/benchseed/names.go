package benchseed

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// Realistic words for the generated province: the pages and reports are
// measured with names of the length and script real ones have (Chinese,
// 10–20 characters), and the search finds what a person would type.

// branchCities are the generated branches' cities (a province has about
// 13); the demo's 哈尔滨 and 大庆 are left out so the two never share a
// name. Past the list a branch is "<city><n>".
var branchCities = []string{"齐齐哈尔", "牡丹江", "佳木斯", "鸡西", "双鸭山", "伊春", "七台河", "鹤岗", "黑河", "绥化", "大兴安岭", "尚志", "北安", "五常", "海伦"}

// branchRegions are the cities' administrative division codes (GB/T
// 2260), the credit codes' positions 3–8.
var branchRegions = []string{"230200", "231000", "230800", "230300", "230500", "230700", "230900", "230400", "231100", "231200", "232700", "230183", "231181", "230184", "231283"}

func branchCity(b int) string {
	c := branchCities[b%len(branchCities)]
	if b >= len(branchCities) {
		c += fmt.Sprint(b/len(branchCities) + 1)
	}
	return c
}

// tradeNames are 字号 syllables; two make a company's trade name.
var tradeNames = []string{"华", "信", "达", "鑫", "宏", "远", "恒", "泰", "盛", "通", "瑞", "丰", "博", "创", "隆", "兴", "安", "捷", "中", "天",
	"龙", "海", "金", "正", "新", "明", "德", "凯", "利", "源", "嘉", "益", "汇", "伟", "智", "国", "北", "林", "昌", "永"}

// industryWords are the business words per industry code (the order of
// industries).
var industryWords = [][]string{
	{"人民政府办公室", "市场监督管理局", "政务服务中心", "公安局", "税务局"},
	{"农村商业银行", "证券营业部", "保险代理", "信用合作联社", "融资担保"},
	{"第一中学", "职业技术学院", "实验小学", "教育培训", "幼儿园"},
	{"人民医院", "中医院", "医药连锁", "妇幼保健院", "社区卫生服务中心"},
	{"机械制造", "化工", "食品加工", "建材", "装备制造"},
	{"物流", "运输", "仓储", "快递", "冷链物流"},
	{"热电", "燃气", "新能源", "石油化工", "电力工程"},
	{"商贸", "百货", "粮油贸易", "农资", "进出口贸易"},
	{"网络科技", "信息技术", "软件科技", "数据科技", "智能科技"},
	{"物业管理", "酒店管理", "文化传媒", "建筑工程", "农业科技"},
}

var companyForms = []string{"有限公司", "股份有限公司", "集团有限公司", "有限责任公司"}

// customerName is the i-th customer's name in a city: unique per city
// for the first 1,600 × 5 × 4 customers of an industry.
func customerName(city string, industry, i int) string {
	n := len(tradeNames)
	trade := tradeNames[i%n] + tradeNames[(i/n+i)%n]
	words := industryWords[industry%len(industryWords)]
	w := words[(i/(n*n))%len(words)]
	if industry == 0 || industry == 2 || industry == 3 { // public bodies: no trade name, no company form
		return fmt.Sprintf("%s%s%s", city, trade, w)
	}
	return city + trade + w + companyForms[(i/(n*n*len(words)))%len(companyForms)]
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧"}
	givenChars = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "志", "红", "玉", "婷"}
	titles     = []string{"总经理", "副总经理", "信息中心主任", "IT经理", "采购经理", "办公室主任", "财务总监", "网络管理员"}
)

// personName is a Chinese name of two or three characters.
func personName(rng *rand.Rand) string {
	s := surnames[rng.IntN(len(surnames))] + givenChars[rng.IntN(len(givenChars))]
	if rng.IntN(3) > 0 {
		s += givenChars[rng.IntN(len(givenChars))]
	}
	return s
}

// mobile is an 11-digit mainland mobile number.
func mobile(rng *rand.Rand) string {
	prefixes := []string{"135", "136", "138", "139", "150", "151", "158", "187", "188", "198"}
	return fmt.Sprintf("%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100000000))
}

// creditCodeChars, creditCodeWeights: GB 32100-2015, as in
// prospects/creditcode.go (this package depends on the schema only, so
// the check character is computed here again; TestCreditCodes checks the
// two agree).
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCode makes a valid unified social credit code: 91 (a company
// registered by 工商), the region, nine characters that number the
// customer (base 31 from an offset per province code, so provinces with
// other codes never share one) and the check character.
func creditCode(region string, code string, i int) string {
	h := fnv.New64a()
	h.Write([]byte(code))
	n := h.Sum64()%(1<<40) + uint64(i)
	var id [9]byte
	for k := 8; k >= 0; k-- {
		id[k] = creditCodeChars[n%31]
		n /= 31
	}
	first := "91" + region + string(id[:])
	sum := 0
	for k := 0; k < 17; k++ {
		sum += strings.IndexByte(creditCodeChars, first[k]) * creditCodeWeights[k]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return first + string(creditCodeChars[c])
}
