package screen

import "strings"

// hanWord is a dictionary entry: the English the lists use for a Chinese
// word, and whether it is a legal form or a place (neither gets a pinyin
// alternative: legal forms are matched by family, and place names are
// written in pinyin already).
type hanWord struct {
	english string
	legal   bool
	place   bool
	org     bool // the name of an organization (cedict_table.go)
}

// hanDict is keyed by simplified characters; traditional input is mapped to
// simplified first (tradToSimp).
var hanDict = map[string]hanWord{}

func init() {
	words := func(kind string, pairs string) {
		for _, line := range strings.Split(pairs, ";") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			zh, en, _ := strings.Cut(line, "=")
			hanDict[strings.TrimSpace(zh)] = hanWord{english: strings.TrimSpace(en), legal: kind == "legal", place: kind == "place"}
			if kind == "place" {
				for _, w := range strings.Fields(en) {
					genericWords[w] = true
				}
			}
		}
	}
	words("legal", `有限公司=co ltd; 股份有限公司=co ltd; 有限责任公司=co ltd; 股份公司=co ltd; 责任公司=co ltd;
		公司=co; 分公司=co; 总公司=co; 
		合伙企业=lp; 有限合伙=lp; 株式会社=kk; 股份=co ltd`)
	words("word", `技术=technology; 科技=technology; 信息=information; 电子=electronics; 微电子=microelectronics;
		大学=university; 研究所=research institute; 研究院=research institute; 集团=group; 投资=investment;
		云计算=cloud computing; 网络=network; 半导体=semiconductor; 制造=manufacturing; 数字=digital;
		数码=digital; 通信=communication; 通讯=communication; 电信=telecommunication; 软件=software;
		国际=international; 贸易=trading; 商贸=trading; 工程=engineering; 工业=industry; 产业=industry;
		实业=industrial; 控股=holding; 发展=development; 开发=development; 设备=equipment; 系统=systems;
		智能=intelligent; 人工智能=artificial intelligence; 航空=aviation; 航天=aerospace; 船舶=shipbuilding;
		重工=heavy industry; 能源=energy; 新能源=new energy; 石油=petroleum; 化工=chemical; 材料=materials;
		光电=optoelectronics; 光学=optics; 仪器=instrument; 精密=precision; 机械=machinery; 电气=electric;
		电力=power; 物流=logistics; 航运=shipping; 进出口=import export; 银行=bank; 证券=securities;
		保险=insurance; 医药=pharmaceutical; 生物=biotechnology; 服务=services; 咨询=consulting;
		管理=management; 中心=center; 研究=research; 国防=national defense; 科学=science; 中国=china;
		中华=china; 国家=national; 计算机=computer; 计算=computing; 超级计算=supercomputing; 超算=supercomputing;
		数据=data; 安全=security; 监控=surveillance; 视频=video; 视觉=vision; 图像=image; 芯片=chip;
		集成电路=integrated circuit; 存储=storage; 显示=display; 装备=equipment; 兵器=ordnance; 物理=physics;
		化学=chemistry; 研究中心=research center; 实验室=laboratory; 学院=institute; 科学院=academy of sciences;
		工程物理=engineering physics; 高新技术=high technology;
		高科技=high technology; 互联网=internet; 移动=mobile; 无线=wireless; 雷达=radar; 导航=navigation;
		卫星=satellite; 火箭=rocket; 导弹=missile; 核=nuclear; 原子能=atomic energy; 机器人=robotics;
		自动化=automation; 控制=control; 测控=measurement control; 检测=testing; 新材料=new materials;
		汽车=automotive; 电池=battery; 钢铁=steel; 矿业=mining; 建设=construction; 建筑=construction;
		交通=transportation; 铁路=railway; 海洋=ocean; 造船=shipbuilding; 动力=power; 发动机=engine;
		飞机=aircraft; 军工=defense industry; 光纤=optical fiber; 激光=laser; 微电=microelectronics;
		集成=integrated; 电路=circuit; 设计=design; 应用=applied; 有色金属=nonferrous metals; 金属=metals;
		进口=import; 出口=export; 商务=business; 电器=appliances; 器材=equipment; 元器件=components;
		零部件=components; 部件=components; 第一=first; 第二=second; 北方=north; 南方=south; 东方=eastern;
		西部=western; 联合=united; 总局=administration;
		师范大学=normal university; 交通大学=jiaotong university; 航空航天大学=university of aeronautics and astronautics;
		存储器=memory; 微系统=microsystems; 光刻=lithography; 晶圆=wafer; 封装=packaging; 测试=testing;
		飞行器=aircraft; 无人机=uav; 航空工业=aviation industry; 核工业=nuclear industry; 兵器工业=ordnance industry;
		科学技术=science technology; 工程技术=engineering technology; 重点实验室=key laboratory;
		国家重点实验室=state key laboratory; 分院=branch; 设计院=design institute; 工厂=factory; 医院=hospital;
		公安=public security; 公安局=public security bureau; 公安厅=public security department; 监狱=prison;
		委员会=committee; 政府=government; 人民=peoples; 解放军=liberation army; 生产=production; 兵团=corps;
		自治区=autonomous region; 维吾尔=uighur; 电子信息=electronic information; 精密机械=precision machinery;
		仪表=instrumentation; 传感器=sensor; 光纤通信=optical communication; 数据中心=data center;
		人工智能技术=artificial intelligence technology; 新技术=new technology; 高新=high tech; 科研=research;
		信息技术=information technology; 网络安全=cybersecurity; 超级计算机=supercomputer; 计算中心=computing center`)
	words("place", `北京=beijing; 上海=shanghai; 深圳=shenzhen; 香港=hong kong; 天津=tianjin; 广州=guangzhou;
		成都=chengdu; 重庆=chongqing; 武汉=wuhan; 南京=nanjing; 杭州=hangzhou; 西安=xian; 哈尔滨=harbin;
		四川=sichuan; 广东=guangdong; 江苏=jiangsu; 浙江=zhejiang; 湖南=hunan; 湖北=hubei; 河南=henan;
		河北=hebei; 山东=shandong; 山西=shanxi; 陕西=shaanxi; 福建=fujian; 厦门=xiamen; 大连=dalian;
		青岛=qingdao; 长沙=changsha; 合肥=hefei; 苏州=suzhou; 无锡=wuxi; 珠海=zhuhai; 东莞=dongguan;
		澳门=macau; 台湾=taiwan; 新疆=xinjiang; 西藏=tibet; 云南=yunnan; 贵州=guizhou; 广西=guangxi;
		辽宁=liaoning; 吉林=jilin; 黑龙江=heilongjiang; 内蒙古=inner mongolia; 沈阳=shenyang; 济南=jinan;
		郑州=zhengzhou; 太原=taiyuan; 南昌=nanchang; 福州=fuzhou; 昆明=kunming; 贵阳=guiyang; 兰州=lanzhou;
		乌鲁木齐=urumqi; 宁波=ningbo; 绵阳=mianyang; 佛山=foshan; 江西=jiangxi; 安徽=anhui; 甘肃=gansu;
		海南=hainan; 宁夏=ningxia; 青海=qinghai; 南宁=nanning; 石家庄=shijiazhuang; 长春=changchun;
		呼和浩特=hohhot; 拉萨=lhasa; 西宁=xining; 银川=yinchuan; 海口=haikou; 三亚=sanya; 温州=wenzhou;
		常州=changzhou; 南通=nantong; 烟台=yantai; 洛阳=luoyang; 株洲=zhuzhou; 湘潭=xiangtan; 宜昌=yichang;
		连云港=lianyungang; 中关村=zhongguancun; 浦东=pudong; 海淀=haidian; 朝阳=chaoyang; 滨海=binhai;
		长江=yangtze; 珠江=pearl river; 华北=north china; 华东=east china; 华南=south china; 华中=central china;
		西北=northwest; 东北=northeast; 西南=southwest; 喀什=kashgar; 和田=hotan; 伊犁=ili; 阿克苏=aksu;
		吐鲁番=turpan; 昌吉=changji; 克拉玛依=karamay; 哈密=hami; 库尔勒=korla`)
}

// surnames are common Chinese surnames; a non-empty value is the surname
// reading of a character that reads differently elsewhere.
var surnames = map[rune]string{}

// compoundSurnames are two-character surnames with their readings.
var compoundSurnames = map[string]string{
	"欧阳": "ouyang", "司马": "sima", "诸葛": "zhuge", "上官": "shangguan", "司徒": "situ", "东方": "dongfang",
	"皇甫": "huangfu", "令狐": "linghu", "慕容": "murong", "尉迟": "yuchi", "公孙": "gongsun", "长孙": "zhangsun",
	"宇文": "yuwen", "夏侯": "xiahou", "轩辕": "xuanyuan", "万俟": "moqi", "端木": "duanmu", "西门": "ximen",
}

func init() {
	for _, r := range "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭萧田董袁潘于蒋蔡余杜叶程苏魏吕丁" +
		"任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤" +
		"习温薄胡贝柯易常康乔赖文申祝左庞牛施鲍洪卓倪宁聂甘葛" {
		surnames[r] = ""
	}
	for r, s := range map[rune]string{
		'单': "shan", '曾': "zeng", '解': "xie", '区': "ou", '仇': "qiu", '朴': "piao", '查': "zha", '乐': "yue",
		'覃': "qin", '盖': "ge", '缪': "miao", '翟': "zhai", '车': "che", '秘': "bi", '种': "chong", '召': "shao",
		'员': "yun", '殷': "yin", '宿': "su", '繁': "po", '尉': "yu", '沈': "shen", '石': "shi", '万': "wan",
		'燕': "yan", '华': "hua", '任': "ren", '那': "na", '阚': "kan", '冼': "xian", '句': "gou", '藏': "zang",
	} {
		surnames[r] = s
	}
}

// tradToSimp maps traditional characters common in company, institution
// and place names to their simplified forms for dictionary lookup (pinyin
// itself reads both).
var tradToSimp = map[rune]rune{}

func init() {
	const pairs = "華华為为術术資资訊讯電电網网絡络國国際际貿贸導导體体製制數数碼码軟软學学務务發发業业產产團团" +
		"區区興兴東东廣广與与門门飛飞騰腾圖图龍龙達达實实機机設设備备動动傳传視视計计雲云優优長长開开鐵铁應应" +
		"衛卫車车進进時时關关專专廠厂責责險险銀银證证醫医藥药礎础檢检測测繫系統统設设計计程程灣湾臺台鄉乡" +
		"聯联氣气礦矿築筑裝装彈弹艦舰點点線线螢萤顯显儲储區区島岛陽阳慶庆蘇苏瀋沈濟济鄭郑蘭兰寧宁漢汉無无" +
		"錫锡海海廈厦門门陝陕連连雲云貴贵遼辽黑黑龍龙內内蒙蒙烏乌魯鲁齊齐導导彈弹航航衛卫學学問问研研院院" +
		"歐欧陳陈張张劉刘楊杨黃黄趙赵吳吴孫孙馬马鄧邓馮冯韓韩蕭萧蔣蒋葉叶蘇苏魏魏呂吕盧卢鍾钟譚谭陸陆賈贾" +
		"韋韦鄒邹熊熊閻阎雷雷龔龚錢钱嚴严湯汤賴赖龐庞鮑鲍聶聂葛葛萬万習习溫温單单區区樂乐蓋盖繆缪翟翟車车" +
		"億亿運运輸输個个們们會会經经濟济號号樓楼間间場场莊庄麗丽豐丰匯汇鳳凤橋桥灣湾島岛"
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] != rs[i+1] {
			tradToSimp[rs[i]] = rs[i+1]
		}
	}
}
