/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gpu-audit: audit one GPU submission on the host with the hypervisor's own
 * auditor, so anyone can check a batch without a GPU.
 *
 *   gpu-audit --gen 8|9 --engine rcs|bcs|vcs|vcs2|vecs [--ppgtt|--ggtt]
 *             [--slice BASE:SIZE]... [--json] [--repeat N] [--disasm]
 *             FILE[@ADDR] [FILE@ADDR]...
 *   gpu-audit --dump-table --gen N [--json]
 *
 * Exit: 0 accepted, 1 rejected, 2 usage or I/O error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "region.h"

#define DEFAULT_ADDR  0x100000ULL
#define MAX_FILES     64

struct image {
    struct region r[MAX_FILES];
    unsigned int nr;
    unsigned int space;
};

struct disasm_line {
    uint32_t buf, off, len, hdr;
    const char *name;
    unsigned int action;
};

struct disasm {
    struct disasm_line *l;
    unsigned int nr, max;
};

static struct disasm dis;

static void usage(void)
{
    fprintf(stderr,
            "usage: gpu-audit --gen 8|9 --engine rcs|bcs|vcs|vcs2|vecs [--ppgtt|--ggtt]\n"
            "                 [--slice BASE:SIZE]... [--json] [--repeat N] [--disasm]\n"
            "                 FILE[@ADDR] [FILE@ADDR]...\n"
            "       gpu-audit --dump-table --gen 8|9 [--json]\n");
    exit(2);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if ( !*s )
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return (errno || *end) ? -1 : 0;
}

static int img_read(void *priv, unsigned int space, uint64_t addr, void *dst,
                    unsigned int len)
{
    const struct image *img = priv;

    if ( space != img->space )
        return 0;
    return region_read(img->r, img->nr, addr, dst, len, NULL);
}

static const struct gpu_audit_mem_ops img_ops = { .read = img_read };

static const char *region_name(const struct image *img, uint64_t addr,
                               uint64_t *rel)
{
    unsigned int i;

    for ( i = 0; i < img->nr; i++ )
        if ( addr >= img->r[i].addr && addr - img->r[i].addr < img->r[i].size )
        {
            *rel = addr - img->r[i].addr;
            return img->r[i].name;
        }
    *rel = addr;
    return "?";
}

/* File and offset of a verdict: a batch may end just past its file. */
static const char *verdict_place(const struct image *img,
                                 const struct gpu_audit_sub *s,
                                 const struct gpu_audit_verdict *v,
                                 uint64_t *rel)
{
    const struct gpu_audit_buf *b = gpu_audit_get_buf(s, v->buffer);
    const char *name = region_name(img, v->gaddr, rel);

    if ( b && !strcmp(name, "?") )
    {
        uint64_t base;

        name = region_name(img, b->gaddr, &base);
        *rel = v->gaddr - (b->gaddr - base);
    }

    return name;
}

static void trace(void *priv, const struct gpu_audit_sub *s, unsigned int buf,
                  uint32_t off, const struct gpu_cmd_desc *d,
                  unsigned int len, unsigned int action)
{
    struct disasm_line *l;

    (void)priv;
    if ( dis.nr == dis.max )
    {
        dis.max = dis.max ? dis.max * 2 : 256;
        dis.l = realloc(dis.l, dis.max * sizeof(*dis.l));
        if ( !dis.l )
            abort();
    }
    l = &dis.l[dis.nr++];
    l->buf = buf;
    l->off = off;
    l->len = len;
    l->hdr = gpu_audit_buf_dw(gpu_audit_get_buf(s, buf), off / 4);
    l->name = d ? d->name : "?";
    l->action = action;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void json_str(const char *s)
{
    putchar('"');
    for ( ; *s; s++ )
    {
        if ( *s == '"' || *s == '\\' )
            printf("\\%c", *s);
        else if ( (unsigned char)*s < 0x20 )
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

static void print_cond(const struct gpu_cmd_cond *c)
{
    printf("{\"dw\":%u,\"mask\":\"0x%x\",\"%s\":\"0x%x\"}", c->dw, c->mask,
           c->ne ? "ne" : "eq", c->val);
}

static const char *const act_names[] = { "allow", "reject", "noop", "event" };
static const char *const kind_names[] = { "?", "addr", "reg", "lri", "jump", "index" };
static const char *const type_names[8] = { "mi", "?", "2d", "3d" };

/* Opcode as written in the spec: 3D types show header bits 31:16. */
static unsigned int header_opcode(const struct gpu_cmd_desc *d)
{
    return d->type == GPU_CMD_TYPE_3D ? (3u << 13) | d->opcode : d->opcode;
}

static int dump_table(unsigned int gen, int json)
{
    const struct gpu_gen_spec *s = gpu_audit_spec_for_gen(gen);
    unsigned int i, j, e;

    if ( !s )
    {
        fprintf(stderr, "gpu-audit: no tables for gen %u\n", gen);
        return 2;
    }
    for ( i = 0; i < s->nr_cmds; i++ )
    {
        const struct gpu_cmd_desc *d = &s->cmds[i];

        if ( !json )
        {
            printf("%-40s %-2s 0x%04x len %s%u..%u engines", d->name,
                   type_names[d->type], header_opcode(d), d->len_bits ? "var " : "",
                   d->len_min, d->len_max);
            for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
                if ( d->engines & (1u << e) )
                    printf(" %s", gpu_audit_engine_name(e));
            printf(" ring=%s ggtt=%s ppgtt=%s\n", act_names[d->policy[0]],
                   act_names[d->policy[1]], act_names[d->policy[2]]);
            continue;
        }
        printf("{\"name\":");
        json_str(d->name);
        printf(",\"gen\":%u,\"type\":\"%s\",\"opcode\":\"0x%x\",\"engines\":[",
               gen, type_names[d->type], header_opcode(d));
        for ( e = 0, j = 0; e < XEN_GPU_ENGINE_NR; e++ )
            if ( d->engines & (1u << e) )
                printf("%s\"%s\"", j++ ? "," : "", gpu_audit_engine_name(e));
        if ( d->len_bits )
            printf("],\"length\":{\"field_bits\":%u,\"bias\":%u,\"min\":%u,\"max\":%u",
                   d->len_bits, d->len_bias, d->len_min, d->len_max);
        else
            printf("],\"length\":{\"fixed\":%u", d->len_min);
        if ( d->len_set )
        {
            printf(",\"only\":[");
            for ( e = 0, j = 0; e < 32; e++ )
                if ( d->len_set & (1u << e) )
                    printf("%s%u", j++ ? "," : "", e);
            printf("]");
        }
        printf("},\"rules\":{\"ring\":\"%s\",\"ggtt\":\"%s\",\"ppgtt\":\"%s\"",
               act_names[d->policy[0]], act_names[d->policy[1]],
               act_names[d->policy[2]]);
        printf(",\"end\":%s,\"jump\":%s,\"store\":%s,\"operands\":[",
               d->flags & GPU_CF_END ? "true" : "false",
               d->flags & GPU_CF_JUMP ? "true" : "false",
               d->flags & GPU_CF_STORE ? "true" : "false");
        for ( j = 0; j < d->nr_operands; j++ )
        {
            const struct gpu_cmd_operand *o = &d->operands[j];

            printf("%s{\"kind\":\"%s\",\"dw\":%u", j ? "," : "",
                   kind_names[o->kind], o->dw);
            if ( o->kind == GPU_OPND_REG )
                printf(",\"access\":\"%s%s\"", o->access & GPU_ACC_READ ? "r" : "",
                       o->access & GPU_ACC_WRITE ? "w" : "");
            if ( o->level2.mask )
            {
                printf(",\"l2_when\":");
                print_cond(&o->level2);
            }
            if ( o->dup.mask )
            {
                printf(",\"dup_when\":");
                print_cond(&o->dup);
            }
            if ( o->kind == GPU_OPND_ADDR || o->kind == GPU_OPND_INDEX )
                printf(",\"dws\":%u", o->addr_dws);
            if ( o->kind == GPU_OPND_REG && o->value_dw )
                printf(",\"value_dw\":%u", o->value_dw);
            if ( (o->kind == GPU_OPND_ADDR || o->kind == GPU_OPND_INDEX) &&
                 o->size_kind == GPU_SIZE_SHIFT )
                printf(",\"size\":\"shift:%u:%u:%u\"", o->size_dw,
                       o->size_shift, o->size);
            else if ( o->size_kind == GPU_SIZE_SCALED )
                printf(",\"size\":\"scaled:%u:%u\"", o->size_shift, o->size);
            else if ( o->kind == GPU_OPND_ADDR || o->kind == GPU_OPND_INDEX )
                printf(",\"size\":\"%s%u\"",
                       o->size_kind == GPU_SIZE_TAIL ? "tail" : "", o->size);
            if ( o->ggtt.mask )
            {
                printf(",\"ggtt_when\":");
                print_cond(&o->ggtt);
                printf(",\"ggtt_form\":\"%s\"", o->ggtt_reject ? "reject" : "audit");
            }
            for ( e = 0; e < o->nr_conds; e++ )
            {
                printf(",\"if%u\":", e);
                print_cond(&o->conds[e]);
            }
            printf("}");
        }
        printf("],\"mem\":[");
        for ( j = 0; j < d->nr_mem; j++ )
            printf("%s{\"dw\":%u,\"dws\":%u,\"stride\":%u}", j ? "," : "",
                   d->mem[j].dw, d->mem[j].dws, d->mem[j].stride);
        printf("],\"deny\":[");
        for ( j = 0; j < d->nr_deny; j++ )
        {
            printf("%s{\"when\":", j ? "," : "");
            print_cond(&d->deny[j].cond);
            printf(",\"reason\":\"%s\"}", gpu_audit_reason_name(d->deny[j].reason));
        }
        printf("]}}\n");
    }

    return 0;
}

static int load_file(struct region *r, const char *arg)
{
    char *spec = strdup(arg), *at = strrchr(spec, '@');
    FILE *f;
    uint8_t *buf;
    long sz;

    r->addr = DEFAULT_ADDR;
    if ( at )
    {
        *at = '\0';
        if ( parse_u64(at + 1, &r->addr) )
        {
            fprintf(stderr, "gpu-audit: bad address in %s\n", arg);
            return -1;
        }
    }
    r->name = spec;
    f = fopen(spec, "rb");
    if ( !f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
         fseek(f, 0, SEEK_SET) )
    {
        fprintf(stderr, "gpu-audit: %s: %s\n", spec, strerror(errno));
        if ( f )
            fclose(f);
        return -1;
    }
    if ( (sz & 3) || sz > (1L << 30) )
    {
        fprintf(stderr, "gpu-audit: %s: length %ld is not a whole number of "
                "dwords (or over 1 GiB)\n", spec, sz);
        fclose(f);
        return -1;
    }
    r->size = sz;
    buf = malloc(sz ? sz : 1);
    r->data = buf;
    if ( !buf || fread(buf, 1, sz, f) != (size_t)sz )
    {
        fprintf(stderr, "gpu-audit: %s: read error\n", spec);
        fclose(f);
        return -1;
    }
    fclose(f);
    if ( r->addr + r->size < r->addr || (r->addr & 3) )
    {
        fprintf(stderr, "gpu-audit: %s: bad placement 0x%" PRIx64 "\n", spec,
                r->addr);
        return -1;
    }

    return 0;
}

static int parse_engine(const char *s)
{
    unsigned int e;

    for ( e = 0; e < XEN_GPU_ENGINE_NR; e++ )
        if ( !strcmp(s, gpu_audit_engine_name(e)) )
            return e;
    return -1;
}

int main(int argc, char **argv)
{
    static struct image img;
    struct gpu_audit_table table;
    struct gpu_audit_vgpu vgpu;
    const struct gpu_audit_verdict *v = NULL;
    struct gpu_audit_sub *s = NULL;
    int gen = -1, engine = -1, json = 0, do_disasm = 0, dump = 0, i, rc;
    unsigned int nr_slices = 0, n;
    uint64_t slices[GPU_AUDIT_MAX_SLICES][2];
    unsigned long repeat = 0, r;
    double t_audit = 0, t_copy = 0;
    uint64_t bytes = 0, cmds = 0;

    img.space = GPU_SPACE_PPGTT;
    host_printk_quiet = !getenv("GPU_AUDIT_VERBOSE");
    for ( i = 1; i < argc; i++ )
    {
        const char *a = argv[i];

        if ( !strcmp(a, "--gen") && i + 1 < argc )
            gen = atoi(argv[++i]);
        else if ( !strcmp(a, "--engine") && i + 1 < argc )
        {
            if ( (engine = parse_engine(argv[++i])) < 0 )
                usage();
        }
        else if ( !strcmp(a, "--ppgtt") )
            img.space = GPU_SPACE_PPGTT;
        else if ( !strcmp(a, "--ggtt") )
            img.space = GPU_SPACE_GGTT;
        else if ( !strcmp(a, "--json") )
            json = 1;
        else if ( !strcmp(a, "--disasm") )
            do_disasm = 1;
        else if ( !strcmp(a, "--dump-table") )
            dump = 1;
        else if ( !strcmp(a, "--repeat") && i + 1 < argc )
        {
            uint64_t x;

            if ( parse_u64(argv[++i], &x) || !x || x > 100000000 )
                usage();
            repeat = x;
        }
        else if ( !strcmp(a, "--slice") && i + 1 < argc )
        {
            char *sp = strdup(argv[++i]), *c = strchr(sp, ':');

            if ( !c || nr_slices == GPU_AUDIT_MAX_SLICES )
                usage();
            *c = '\0';
            if ( parse_u64(sp, &slices[nr_slices][0]) ||
                 parse_u64(c + 1, &slices[nr_slices][1]) )
                usage();
            nr_slices++;
            free(sp);
        }
        else if ( a[0] == '-' && a[1] == '-' )
            usage();
        else
        {
            if ( img.nr == MAX_FILES )
                usage();
            if ( load_file(&img.r[img.nr++], a) )
                return 2;
        }
    }

    if ( gen != 8 && gen != 9 )
        usage();
    if ( dump )
        return dump_table(gen, json);
    if ( engine < 0 || !img.nr )
        usage();

    rc = gpu_audit_table_init(&table, gpu_audit_spec_for_gen(gen));
    if ( rc )
    {
        fprintf(stderr, "gpu-audit: gen%d tables failed validation (%d)\n", gen, rc);
        return 2;
    }
    gpu_audit_vgpu_init(&vgpu, &table);
    if ( !nr_slices )
    {
        slices[0][0] = 0;
        slices[0][1] = 0x10000000;
        nr_slices = 1;
    }
    for ( n = 0; n < nr_slices; n++ )
        if ( gpu_audit_vgpu_add_slice(&vgpu, slices[n][0], slices[n][1]) )
        {
            fprintf(stderr, "gpu-audit: bad slice 0x%" PRIx64 ":0x%" PRIx64
                    " (page aligned, non-empty, disjoint, at most %u)\n",
                    slices[n][0], slices[n][1], GPU_AUDIT_MAX_SLICES);
            return 2;
        }

    for ( r = 0; r < (repeat ? repeat : 1); r++ )
    {
        double t0 = now();

        gpu_audit_sub_destroy(s);
        s = gpu_audit_sub_create(&vgpu, engine, &img_ops, &img);
        if ( !s )
        {
            fprintf(stderr, "gpu-audit: out of memory\n");
            return 2;
        }
        if ( do_disasm && r == 0 )
            gpu_audit_sub_set_trace(s, trace);
        if ( gpu_audit_sub_start_batch(s, img.space, img.r[0].addr) )
            return 2;
        while ( (rc = gpu_audit_run(s)) == -ERESTART )
            continue;
        t_audit += now() - t0;
        v = gpu_audit_get_verdict(s);
        bytes = gpu_audit_sub_bytes(s);
        cmds = gpu_audit_sub_commands(s);
    }

    if ( repeat )
    {
        /* The baseline: a plain copy of the same bytes, in the same run. */
        uint8_t *dst = malloc(bytes ? bytes : 1);
        volatile uint8_t sink = 0;

        for ( r = 0; r < repeat; r++ )
        {
            double t0 = now();
            uint64_t done = 0;

            for ( n = 0; n < img.nr && done < bytes; n++ )
            {
                uint64_t c = img.r[n].size;

                if ( c > bytes - done )
                    c = bytes - done;
                memcpy(dst + done, img.r[n].data, c);
                done += c;
            }
            sink ^= dst[r % (bytes ? bytes : 1)];
            t_copy += now() - t0;
        }
        (void)sink;
        free(dst);
    }

    if ( do_disasm )
    {
        for ( n = 0; n < dis.nr; n++ )
        {
            const struct disasm_line *l = &dis.l[n];
            const struct gpu_audit_buf *b = gpu_audit_get_buf(s, l->buf);
            uint64_t rel;
            const char *f = region_name(&img, b->gaddr + l->off, &rel);
            bool bad = v->reason && v->buffer == l->buf && v->offset == l->off;

            printf("%s+0x%05" PRIx64 "  %08x  %-36s %4u dw%s%s\n", f, rel,
                   l->hdr, l->name, l->len,
                   l->action == GPU_ACT_NOOP ? "  (neutralised)" :
                   l->action == GPU_ACT_EVENT ? "  (display event, neutralised)" : "",
                   bad ? "  <== REFUSED" : "");
        }
        if ( v->reason && v->buffer < gpu_audit_nr_bufs(s) && !v->cmd )
        {
            uint64_t rel;
            const char *f = verdict_place(&img, s, v, &rel);

            printf("%s+0x%05" PRIx64 "  %08x  %-36s         <== REFUSED\n", f, rel,
                   v->header, "(unknown)");
        }
    }

    {
        uint64_t rel = 0;
        const char *bufname = v->reason ? verdict_place(&img, s, v, &rel)
                                        : img.r[0].name;

        if ( json )
        {
            printf("{\"verdict\":\"%s\",\"reason\":\"%s\",\"offset\":%" PRIu64
                   ",\"buffer\":", v->reason ? "reject" : "accept",
                   gpu_audit_reason_name(v->reason), rel);
            json_str(bufname);
            printf(",\"command\":");
            json_str(v->cmd ? v->cmd :
                     v->reason == XEN_GPU_AUDIT_UNKNOWN_CMD ? "(unknown)" : "");
            printf(",\"header\":\"0x%08x\",\"gaddr\":\"0x%" PRIx64 "\","
                   "\"commands\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"buffers\":%u",
                   v->header, v->gaddr, cmds, bytes, gpu_audit_nr_bufs(s));
            if ( repeat )
                printf(",\"repeat\":%lu,\"audit_bytes_per_s\":%.0f,"
                       "\"memcpy_bytes_per_s\":%.0f",
                       repeat, t_audit > 0 ? bytes * repeat / t_audit : 0,
                       t_copy > 0 ? bytes * repeat / t_copy : 0);
            printf("}\n");
        }
        else if ( !v->reason )
            printf("accept: %" PRIu64 " commands, %" PRIu64
                   " bytes in %u buffer(s), %u neutralised\n", cmds, bytes,
                   gpu_audit_nr_bufs(s), (unsigned int)vgpu.counters.neutralised /
                   (unsigned int)(repeat ? repeat : 1));
        else
            printf("reject: %s at %s+0x%" PRIx64 " (gaddr 0x%" PRIx64 "): %s "
                   "[0x%08x]\n", gpu_audit_reason_name(v->reason), bufname, rel,
                   v->gaddr, v->cmd ? v->cmd :
                   v->reason == XEN_GPU_AUDIT_UNKNOWN_CMD ? "(unknown command)"
                                                          : "(no command there)",
                   v->header);
        if ( repeat && !json )
            printf("audit %.1f MB/s, memcpy %.1f MB/s (ratio %.2f)\n",
                   bytes * repeat / t_audit / 1e6, bytes * repeat / t_copy / 1e6,
                   t_copy / t_audit);
    }

    rc = v->reason ? 1 : 0;
    gpu_audit_sub_destroy(s);
    gpu_audit_vgpu_destroy(&vgpu);
    gpu_audit_table_destroy(&table);
    return rc;
}
