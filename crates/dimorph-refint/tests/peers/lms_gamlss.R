# Peer values for crates/dimorph-refint/tests/age_curves.rs: gamlss 5.5-0 / gamlss.dist 6.1-1,
# family BCCG (Box-Cox Cole & Green), on a seeded sample drawn here (lms_gamlss_data.csv: an
# analyte whose median, spread and skewness change with age, by sex; ages 1-90; 700 values
# per sex). (reflimR's livertests span ages 32-75 only, and gamlss's BCCG fails on its CREA.)
#   case "df": mu ~ bs(Age, df = 5), sigma ~ bs(Age, df = 3) (a cubic), nu ~ Age; no penalty,
#              i.e. maximum likelihood -- dimorph's --lms-df 5,3,1 spans the same spaces.
#   case "pb": mu, sigma, nu ~ pb(Age, lambda = 50 / 200 / 1000): P-splines with fixed penalties,
#              penalised maximum likelihood -- dimorph's --lms-lambda 50,200,1000.
# Convergence is pushed far below gamlss's defaults so that both reach the same maximum.
# Run from the repository root:  Rscript crates/dimorph-refint/tests/peers/lms_gamlss.R
# (gamlss was built from its CRAN GitHub mirror, see the report; R_LIBS may point at it.)
suppressPackageStartupMessages({ library(gamlss); library(splines) })
set.seed(20221)
gen <- function(sex, n, m0, m1) {
  age <- sample(1:90, n, replace = TRUE)
  mu <- m0 + m1 * age + 8 * sin(age / 15)
  sigma <- 0.10 + 0.0012 * age
  nu <- 0.8 - 0.012 * age
  data.frame(Sex = sex, Age = age, CREA = round(rBCCG(n, mu, sigma, nu), 2))
}
d <- rbind(gen("f", 700, 45, 0.25), gen("m", 700, 55, 0.35))
write.csv(d, "crates/dimorph-refint/tests/peers/lms_gamlss_data.csv", row.names = FALSE)
# (tighter settings for pb() make gamlss cycle without end: bf.tol 1e-12 ran > 6 min)
ctl <- list(df = gamlss.control(c.crit = 1e-11, n.cyc = 1000, trace = FALSE),
            pb = gamlss.control(c.crit = 1e-9, n.cyc = 1000, trace = FALSE))
ictl <- list(df = glim.control(cc = 1e-11, cyc = 100),
             pb = glim.control(cc = 1e-9, cyc = 100, bf.cyc = 200, bf.tol = 1e-10))
out <- NULL
for (case in c("df", "pb")) for (sex in c("f", "m")) {
  s <- d[d$Sex == sex, c("Age", "CREA")]
  cat(case, sex, format(Sys.time()), "\n")
  m <- if (case == "df") {
    gamlss(CREA ~ bs(Age, df = 5), sigma.formula = ~ bs(Age, df = 3), nu.formula = ~ Age,
           family = BCCG, data = s, control = ctl[[case]], i.control = ictl[[case]])
  } else {
    gamlss(CREA ~ pb(Age, lambda = 50), sigma.formula = ~ pb(Age, lambda = 200),
           nu.formula = ~ pb(Age, lambda = 1000), family = BCCG, data = s, control = ctl[[case]], i.control = ictl[[case]])
  }
  first <- !duplicated(s$Age)
  mu <- fitted(m, "mu")[first]; sigma <- fitted(m, "sigma")[first]; nu <- fitted(m, "nu")[first]
  cen <- sapply(c(0.025, 0.5, 0.975), function(p) qBCCG(p, mu, sigma, nu))
  r <- data.frame(case = case, sex = sex, age = s$Age[first], mu = mu, sigma = sigma, nu = nu,
                  p2_5 = cen[, 1], p50 = cen[, 2], p97_5 = cen[, 3], deviance = m$G.deviance,
                  converged = m$converged)
  out <- rbind(out, r[order(r$age), ])
}
write.csv(out, "crates/dimorph-refint/tests/peers/lms_gamlss.out.csv", row.names = FALSE)
cat(format(Sys.time()), "R", R.version.string, "gamlss", as.character(packageVersion("gamlss")), "\n")
print(unique(out[, c("case", "sex", "deviance", "converged")]))
