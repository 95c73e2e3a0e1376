# gen-villages.awk — make a village-level CSV in the published format
# (code,name,streetCode,provinceCode,cityCode,areaCode; names quoted) from
# streets.csv: PER villages under every township (default 15), codes
# <street code>001…, names like "X村委会" / "X社区居委会". Deterministic.
#   awk -v PER=15 -F, -f bench/gen-villages.awk streets.csv > villages.csv
BEGIN {
  if (PER == "") PER = 15
  n = split("东 西 南 北 中 上 下 前 后 新 老 大 小 高 龙 凤 花 桥 河 山 林 田 石 杨 李 王 张 刘 陈 黄 周 吴 徐 孙 马 朱 胡 郭 何 罗 宋 谢 韩 唐 冯 于 董 萧 程 曹 袁 邓 许 傅 沈 曾 彭 吕 苏 卢 蒋 蔡 贾 丁 魏 薛 叶 阎 余 潘 杜 戴 夏 钟 汪 田 任 姜 范 方 石 姚 谭 廖 邹 熊 金 陆 郝 孔 白 崔 康 毛 邱 秦 江 史 顾 侯 邵 孟 万 段 钱 汤 尹 黎 易 常 武 乔 贺 赖 龚 文", ch, " ")
  m = split("庄 湾 岗 集 圩 店 营 寨 屯 铺 坊 塘 坝 口 洼 沟 岭 坪 冲 墩", tail, " ")
  print "code,name,streetCode,provinceCode,cityCode,areaCode"
}
NR == 1 { next }
{
  code = $1; area = $3; prov = $4; city = $5
  street = $2; gsub(/"/, "", street)
  town = (street ~ /街道$/)
  for (i = 1; i <= PER; i++) {
    k = (NR * 31 + i * 17)
    a = ch[(k % n) + 1]; b = tail[(int(k / n) % m) + 1]
    if (town && i <= 5)
      name = a b "社区居委会"
    else
      name = a b "村委会"
    printf "%s%03d,\"%s%s\",%s,%s,%s,%s\n", code, i, (i % 2 ? "" : ch[((k + i) % n) + 1]), name, code, prov, city, area
  }
}
