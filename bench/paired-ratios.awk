# paired-ratios.awk: per traffic, a ÷ b within each round and the median of those ratios. The two
# sides of a round ran back to back (bench/observability.sh) or at once (bench/shared-core.sh), so a
# slow drift of the machine between rounds moves both alike and leaves these ratios alone.
# Input lines: "<name> <round> <traffic> <req/s> <req/s per CPU>" (bench/run.sh's rounds.txt).
# usage: awk -v a=<name> -v b=<name> -v col=4 -f bench/paired-ratios.awk <file>   (col 5: per CPU)
#   -v cost=1 (with col=5): instead of a ratio, what a costs more than b in CPU µs per request,
#   1e6 ÷ a's requests per CPU second − 1e6 ÷ b's: a figure that compares across proxies.
# Prints one markdown row per traffic: | <traffic> | <ratio per round, ...> | <median> |
function med(s,   v, n, i, j, t) {
  n = split(s, v, " ")
  for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
  return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ value[$1 " " $2 " " $3] = $col; if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 }; if ($2 > rounds) rounds = $2 }
END {
  for (i = 1; i <= n; i++) {
    sc = order[i]; list = ""; shown = ""
    for (r = 1; r <= rounds; r++) {
      x = value[a " " r " " sc]; y = value[b " " r " " sc]
      if (x > 0 && y > 0) {
        q = cost ? sprintf("%.2f", 1e6 / x - 1e6 / y) : sprintf("%.2f", x / y)
        list = list " " q; shown = shown (shown == "" ? "" : ", ") q
      }
    }
    if (list != "") printf "| %s | %s | %.2f |\n", sc, shown, med(list)
  }
}
