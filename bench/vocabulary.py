"""Bilingual technical vocabulary for the benchmark data set.

Each technical field (by its seeded code) has topics: (Chinese, English, indicator templates).
An indicator template is (Chinese name, English name, unit, comparison, domestic, international, target).
"""

Indicator = tuple[str, str, str, str, float, float, float]
Topic = tuple[str, str, list[Indicator]]

TOPICS: dict[str, list[Topic]] = {
    "integrated-circuits": [
        (
            "碳化硅衬底",
            "SiC substrate",
            [
                ("微管密度", "micropipe density", "/cm²", "lte", 1.0, 0.1, 0.1),
                ("衬底直径", "substrate diameter", "mm", "gte", 150, 200, 200),
                ("电阻率均匀性", "resistivity uniformity", "%", "lte", 8, 3, 3),
            ],
        ),
        (
            "ArF 光刻胶",
            "ArF photoresist",
            [
                ("分辨率", "resolution", "nm", "lte", 65, 38, 40),
                ("线宽粗糙度", "line width roughness", "nm", "lte", 4.5, 2.5, 3),
                ("金属杂质含量", "metal impurities", "ppb", "lte", 50, 5, 10),
            ],
        ),
        (
            "EDA 全流程工具",
            "full-flow EDA tools",
            [
                ("支持工艺节点", "process node supported", "nm", "lte", 28, 3, 14),
                ("时序收敛偏差", "timing sign-off deviation", "%", "lte", 5, 1, 2),
                ("百万门布局时间", "placement time per million gates", "min", "lte", 90, 20, 30),
            ],
        ),
        (
            "12 英寸硅片",
            "12-inch silicon wafer",
            [
                ("局部平整度", "site flatness (SFQR)", "nm", "lte", 40, 20, 22),
                ("表面颗粒数", "surface particles ≥26 nm", "个/片", "lte", 100, 20, 30),
            ],
        ),
        (
            "先进封装 Chiplet 互连",
            "chiplet advanced packaging interconnect",
            [
                ("凸点间距", "bump pitch", "μm", "lte", 55, 25, 36),
                ("互连带宽密度", "interconnect bandwidth density", "Gbps/mm", "gte", 300, 1000, 800),
            ],
        ),
        (
            "高纯电子特气",
            "high-purity electronic specialty gas",
            [
                ("纯度", "purity", "%", "gte", 99.999, 99.99999, 99.9999),
                ("水分含量", "moisture", "ppb", "lte", 500, 50, 100),
            ],
        ),
    ],
    "industrial-software": [
        (
            "工业软件 CAE 求解器",
            "CAE solver for industrial software",
            [
                ("百万网格求解时间", "solve time per million cells", "s", "lte", 600, 120, 180),
                ("与试验数据偏差", "deviation from test data", "%", "lte", 10, 3, 5),
            ],
        ),
        (
            "三维 CAD 几何内核",
            "3D CAD geometry kernel",
            [
                ("布尔运算成功率", "boolean operation success rate", "%", "gte", 95, 99.9, 99.5),
                ("STEP 导入兼容率", "STEP import compatibility", "%", "gte", 90, 99, 98),
            ],
        ),
        (
            "PLC 实时操作系统",
            "real-time OS for PLC",
            [
                ("中断响应时间", "interrupt latency", "μs", "lte", 20, 3, 5),
                ("任务抖动", "task jitter", "μs", "lte", 50, 5, 10),
            ],
        ),
        (
            "MES 制造执行系统",
            "manufacturing execution system (MES)",
            [
                ("并发工位数", "concurrent workstations", "个", "gte", 500, 5000, 3000),
                ("数据采集延迟", "data acquisition latency", "ms", "lte", 500, 50, 100),
            ],
        ),
    ],
    "advanced-materials": [
        (
            "T1100 级碳纤维",
            "T1100-grade carbon fibre",
            [
                ("拉伸强度", "tensile strength", "GPa", "gte", 6.0, 7.0, 6.6),
                ("拉伸模量", "tensile modulus", "GPa", "gte", 294, 324, 320),
            ],
        ),
        (
            "高温合金单晶叶片",
            "single-crystal superalloy blade",
            [
                ("承温能力", "temperature capability", "°C", "gte", 1100, 1150, 1140),
                ("合格率", "yield", "%", "gte", 40, 80, 70),
            ],
        ),
        (
            "聚酰亚胺薄膜",
            "polyimide film",
            [
                ("热膨胀系数", "coefficient of thermal expansion", "ppm/K", "lte", 20, 5, 8),
                ("厚度公差", "thickness tolerance", "μm", "lte", 2, 0.5, 0.8),
            ],
        ),
        (
            "超高纯石英砂",
            "ultra-high-purity quartz sand",
            [
                ("SiO₂ 纯度", "SiO₂ purity", "%", "gte", 99.99, 99.998, 99.997),
                ("铝含量", "aluminium content", "ppm", "lte", 20, 8, 10),
            ],
        ),
    ],
    "high-end-equipment": [
        (
            "五轴联动数控机床",
            "five-axis CNC machine tool",
            [
                ("定位精度", "positioning accuracy", "μm", "lte", 8, 3, 4),
                ("平均无故障时间", "MTBF", "h", "gte", 1500, 3000, 2500),
            ],
        ),
        (
            "高精度 RV 减速器",
            "high-precision RV reducer",
            [
                ("回差", "backlash", "arcmin", "lte", 1.5, 0.5, 1.0),
                ("额定寿命", "rated life", "h", "gte", 4000, 6000, 6000),
            ],
        ),
        (
            "重型燃气轮机",
            "heavy-duty gas turbine",
            [
                ("联合循环效率", "combined-cycle efficiency", "%", "gte", 58, 64, 62),
                ("透平进口温度", "turbine inlet temperature", "°C", "gte", 1300, 1600, 1500),
            ],
        ),
        (
            "高端轴承钢",
            "high-end bearing steel",
            [
                ("氧含量", "oxygen content", "ppm", "lte", 8, 4, 5),
                ("接触疲劳寿命 L10", "contact fatigue life L10", "10⁷ 次", "gte", 3, 10, 8),
            ],
        ),
    ],
    "biomedicine": [
        (
            "mRNA 疫苗递送系统",
            "mRNA vaccine delivery (LNP)",
            [
                ("包封率", "encapsulation efficiency", "%", "gte", 85, 95, 93),
                ("2–8 °C 稳定期", "stability at 2–8 °C", "月", "gte", 3, 12, 9),
            ],
        ),
        (
            "高端医学影像 CT 探测器",
            "CT detector for medical imaging",
            [
                ("空间分辨率", "spatial resolution", "lp/cm", "gte", 16, 24, 22),
                ("单圈扫描时间", "rotation time", "s", "lte", 0.35, 0.25, 0.28),
            ],
        ),
        (
            "生物反应器一次性袋",
            "single-use bioreactor bag",
            [
                ("可提取物总量", "total extractables", "μg/cm²", "lte", 5, 1, 2),
                ("容积", "working volume", "L", "gte", 500, 2000, 2000),
            ],
        ),
    ],
    "new-energy": [
        (
            "钙钛矿叠层电池",
            "perovskite tandem solar cell",
            [
                ("光电转换效率", "conversion efficiency", "%", "gte", 28, 33.9, 31),
                ("湿热老化保持率", "damp-heat retention", "%", "gte", 80, 95, 90),
            ],
        ),
        (
            "锂电池隔膜",
            "lithium battery separator",
            [
                ("厚度", "thickness", "μm", "lte", 9, 5, 5),
                ("热收缩率 (130 °C)", "thermal shrinkage at 130 °C", "%", "lte", 5, 2, 2),
            ],
        ),
        (
            "PEM 电解槽质子交换膜",
            "PEM electrolyser membrane",
            [
                ("电流密度", "current density", "A/cm²", "gte", 1.5, 3.0, 2.5),
                ("衰减率", "degradation rate", "μV/h", "lte", 10, 2, 4),
            ],
        ),
        (
            "固态锂电池电解质",
            "solid-state lithium battery electrolyte",
            [
                ("离子电导率", "ionic conductivity", "mS/cm", "gte", 1, 10, 8),
                ("循环寿命", "cycle life", "次", "gte", 800, 2000, 1500),
            ],
        ),
    ],
    "artificial-intelligence": [
        (
            "大模型训练框架",
            "large-model training framework",
            [
                ("千卡线性加速比", "scaling efficiency on 1,000 accelerators", "%", "gte", 80, 95, 92),
                ("MFU 算力利用率", "model FLOPs utilisation", "%", "gte", 35, 55, 50),
            ],
        ),
        (
            "AI 推理芯片",
            "AI inference chip",
            [
                ("能效比", "energy efficiency", "TOPS/W", "gte", 5, 15, 12),
                ("INT8 算力", "INT8 compute", "TOPS", "gte", 256, 1000, 800),
            ],
        ),
        (
            "工业视觉缺陷检测",
            "machine-vision defect detection",
            [
                ("漏检率", "miss rate", "%", "lte", 1, 0.05, 0.1),
                ("检测节拍", "takt time", "ms", "lte", 200, 50, 80),
            ],
        ),
    ],
    "aerospace": [
        (
            "航空发动机高压涡轮盘",
            "aero-engine high-pressure turbine disc",
            [
                ("低周疲劳寿命", "low-cycle fatigue life", "次", "gte", 10000, 20000, 18000),
                ("晶粒度", "grain size", "级", "gte", 8, 10, 10),
            ],
        ),
        (
            "星载相控阵 T/R 组件",
            "spaceborne phased-array T/R module",
            [
                ("输出功率", "output power", "W", "gte", 8, 15, 12),
                ("质量", "mass", "g", "lte", 12, 6, 8),
            ],
        ),
        (
            "可重复使用液氧甲烷发动机",
            "reusable LOX-methane engine",
            [
                ("比冲", "specific impulse", "s", "gte", 330, 380, 360),
                ("重复使用次数", "reuses", "次", "gte", 5, 20, 15),
            ],
        ),
    ],
    "quantum": [
        (
            "超导量子比特芯片",
            "superconducting qubit chip",
            [
                ("两比特门保真度", "two-qubit gate fidelity", "%", "gte", 99.0, 99.7, 99.5),
                ("相干时间 T1", "coherence time T1", "μs", "gte", 50, 300, 200),
            ],
        ),
        (
            "稀释制冷机",
            "dilution refrigerator",
            [
                ("最低温度", "base temperature", "mK", "lte", 15, 7, 10),
                ("100 mK 制冷量", "cooling power at 100 mK", "μW", "gte", 200, 1000, 600),
            ],
        ),
    ],
    "new-energy-vehicles": [
        (
            "车规级碳化硅功率模块",
            "automotive SiC power module",
            [
                ("导通电阻", "on-resistance", "mΩ", "lte", 4, 2, 2.5),
                ("结温", "junction temperature", "°C", "gte", 175, 200, 200),
            ],
        ),
        (
            "线控制动系统",
            "brake-by-wire system",
            [
                ("建压时间", "pressure build-up time", "ms", "lte", 200, 120, 150),
                ("功能安全等级", "functional safety level (ASIL)", "级", "gte", 2, 4, 4),
            ],
        ),
        (
            "车载激光雷达",
            "automotive LiDAR",
            [
                ("探测距离 (10% 反射率)", "range at 10% reflectivity", "m", "gte", 150, 250, 200),
                ("角分辨率", "angular resolution", "°", "lte", 0.2, 0.05, 0.1),
            ],
        ),
    ],
    "marine-engineering": [
        (
            "深海载人潜水器浮力材料",
            "deep-sea buoyancy material",
            [
                ("密度", "density", "g/cm³", "lte", 0.7, 0.55, 0.6),
                ("耐压强度", "compressive strength", "MPa", "gte", 90, 120, 115),
            ],
        ),
        (
            "LNG 船殷瓦钢",
            "Invar steel for LNG carriers",
            [
                ("热膨胀系数", "coefficient of thermal expansion", "10⁻⁶/K", "lte", 2.0, 1.5, 1.5),
                ("板厚公差", "plate thickness tolerance", "mm", "lte", 0.05, 0.02, 0.03),
            ],
        ),
    ],
    "agriculture": [
        (
            "玉米种业基因编辑",
            "gene editing for maize breeding",
            [
                ("编辑效率", "editing efficiency", "%", "gte", 30, 80, 70),
                ("单产提升", "yield increase", "%", "gte", 5, 15, 12),
            ],
        ),
        (
            "大马力拖拉机 CVT 变速箱",
            "CVT transmission for high-power tractors",
            [
                ("额定功率", "rated power", "kW", "gte", 150, 300, 260),
                ("传动效率", "transmission efficiency", "%", "gte", 85, 92, 90),
            ],
        ),
    ],
    "environment": [
        (
            "工业烟气 SCR 脱硝催化剂",
            "SCR denitration catalyst",
            [
                ("脱硝效率", "NOx removal efficiency", "%", "gte", 85, 95, 93),
                ("SO₂/SO₃ 转化率", "SO₂/SO₃ conversion", "%", "lte", 1, 0.5, 0.6),
            ],
        ),
        (
            "反渗透膜元件",
            "reverse-osmosis membrane element",
            [
                ("脱盐率", "salt rejection", "%", "gte", 99.5, 99.85, 99.8),
                ("产水量", "permeate flow", "m³/d", "gte", 40, 50, 48),
            ],
        ),
    ],
    "information-security": [
        (
            "国密算法安全芯片",
            "SM2/SM4 security chip",
            [
                ("SM4 吞吐率", "SM4 throughput", "Gbps", "gte", 10, 40, 40),
                ("侧信道防护等级", "side-channel protection level", "级", "gte", 2, 4, 3),
            ],
        ),
        (
            "工控系统入侵检测",
            "ICS intrusion detection",
            [
                ("检出率", "detection rate", "%", "gte", 95, 99.5, 99),
                ("误报率", "false positive rate", "%", "lte", 1, 0.1, 0.2),
            ],
        ),
        (
            "数据库内核",
            "database kernel",
            [
                ("TPC-C 吞吐", "TPC-C throughput", "万 tpmC", "gte", 100, 700, 500),
                ("故障切换时间", "failover time", "s", "lte", 30, 5, 8),
            ],
        ),
    ],
}

QUALIFIERS = [
    ("国产化", "domestic"),
    ("高可靠", "high-reliability"),
    ("自主可控", "self-reliant"),
    ("低成本", "low-cost"),
    ("量产级", "mass-production"),
    ("新一代", "next-generation"),
    ("高性能", "high-performance"),
]

ACTIONS = [
    ("关键技术攻关", "key technology breakthrough"),
    ("研制与产业化", "development and industrialisation"),
    ("工程化验证", "engineering validation"),
    ("国产替代", "import substitution"),
    ("首台套应用", "first-of-a-kind deployment"),
    ("工艺开发", "process development"),
]

PAINS = [
    ("长期依赖进口，供货周期长且受出口管制影响", "relies on imports, with long lead times and export-control risk"),
    ("国内产品一致性差，良率不足", "is inconsistent and low-yield when made domestically"),
    ("核心专利被国外厂商垄断", "depends on core patents held by foreign vendors"),
    ("关键指标与国际先进水平存在明显差距", "lags the international state of the art on key figures"),
    ("缺少验证平台与首批用户", "lacks a validation platform and first users"),
]

USERS = [
    ("下游整机企业", "downstream system makers"),
    ("省内重点产业链", "the province's key industrial chains"),
    ("晶圆厂与封测厂", "fabs and packaging houses"),
    ("主机厂", "vehicle OEMs"),
    ("电网与发电企业", "grid operators and generators"),
]

AGENCIES = [
    "工业和信息化部产业发展促进中心",
    "科学技术部高技术研究发展中心",
    "国家发展和改革委员会高技术产业司",
    "北京市科学技术委员会",
    "上海市科学技术委员会",
    "上海市经济和信息化委员会",
    "江苏省科学技术厅",
    "浙江省科学技术厅",
    "浙江省经济和信息化厅",
    "安徽省科学技术厅",
    "广东省科学技术厅",
    "深圳市科技创新局",
    "湖北省科学技术厅",
    "四川省科学技术厅",
    "陕西省科学技术厅",
    "山东省科学技术厅",
    "福建省工业和信息化厅",
    "湖南省科学技术厅",
    "重庆市科学技术局",
    "天津市科学技术局",
]

CITIES = [
    "北京",
    "上海",
    "苏州",
    "无锡",
    "杭州",
    "宁波",
    "合肥",
    "深圳",
    "广州",
    "武汉",
    "成都",
    "西安",
    "济南",
    "厦门",
]
TRADE_WORDS = ["芯", "微", "华", "中", "科", "晶", "创", "睿", "精", "联", "源", "航", "新", "智", "泰", "恒"]
ENTERPRISE_KINDS = [
    "半导体科技有限公司",
    "新材料股份有限公司",
    "智能装备有限公司",
    "软件技术有限公司",
    "新能源科技股份有限公司",
    "生物医药有限公司",
    "精密机械有限公司",
    "电子科技有限公司",
]
UNIVERSITIES = [
    "清华大学",
    "北京大学",
    "浙江大学",
    "上海交通大学",
    "复旦大学",
    "南京大学",
    "东南大学",
    "中国科学技术大学",
    "华中科技大学",
    "西安交通大学",
    "哈尔滨工业大学",
    "北京航空航天大学",
    "电子科技大学",
    "四川大学",
    "中山大学",
    "华南理工大学",
    "同济大学",
    "天津大学",
    "山东大学",
    "厦门大学",
]
INSTITUTES = [
    "中国科学院微电子研究所",
    "中国科学院半导体研究所",
    "中国科学院上海光学精密机械研究所",
    "中国科学院金属研究所",
    "中国科学院宁波材料技术与工程研究所",
    "中国科学院大连化学物理研究所",
    "中国科学院自动化研究所",
    "中国科学院计算技术研究所",
    "中国电子科技集团公司第五十五研究所",
    "中国航发北京航空材料研究院",
    "钢铁研究总院",
    "之江实验室",
    "鹏城实验室",
    "张江实验室",
]
