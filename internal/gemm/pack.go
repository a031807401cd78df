package gemm

// Packing copies a block of an operand into the order in which the micro-kernel reads it, so
// that the kernel's loads are contiguous whatever the transpose and leading dimension, and
// pads the last panel with zeros to a whole tile.

// packA writes the mb×kb block of alpha·op(A) at rows i0, columns p0 to dst as panels of mr
// rows: panel q holds, for each p in turn, the mr elements op(A)[i0+q·mr+0..mr-1, p0+p].
// Scaling by alpha here costs mb·kb multiplications instead of m·n at the end.
func packA(dst, a []float64, lda int, trans bool, i0, p0, mb, kb, mr int, alpha float64) {
	for ir := 0; ir < mb; ir += mr {
		panel := dst[ir*kb : (ir+mr)*kb]
		rows := min(mr, mb-ir)
		if rows < mr {
			clear(panel)
		}
		if trans { // op(A)[i, p] = a[p·lda + i]: each p is a contiguous run of rows
			if vectorPack && rows == mr && mr%8 == 0 {
				off := p0*lda + i0 + ir
				_ = a[off+(kb-1)*lda+mr-1] // the assembly's last read
				copy8(&panel[0], mr, &a[off], lda, kb, alpha)
				continue
			}
			for p := range kb {
				src := a[(p0+p)*lda+i0+ir:][:rows]
				d := panel[p*mr : p*mr+rows]
				for i, v := range src {
					d[i] = alpha * v
				}
			}
			continue
		}
		// op(A)[i, p] = a[i·lda + p]: each row is contiguous.
		gather(panel, mr, a, lda, (i0+ir)*lda+p0, rows, kb, alpha)
	}
}

// gather writes the rows×kb block of src starting at off (row stride ld) to dst transposed,
// element (i, p) to dst[p·width + i], times alpha. Four rows are read together, so that each
// step stores four adjacent elements rather than one at a stride of width.
func gather(dst []float64, width int, src []float64, ld, off, rows, kb int, alpha float64) {
	i := 0
	if vectorPack { // eight rows at a time, eight columns per block (pack_amd64.s)
		blocks := kb / 8
		for ; i+8 <= rows; i += 8 {
			_ = src[off+(i+7)*ld+kb-1] // the assembly's last read and write
			_ = dst[(kb-1)*width+i+7]
			if blocks > 0 {
				transpose8x8(&dst[i], width, &src[off+i*ld], ld, blocks, alpha)
			}
			for p := blocks * 8; p < kb; p++ {
				for q := range 8 {
					dst[p*width+i+q] = alpha * src[off+(i+q)*ld+p]
				}
			}
		}
	}
	for ; i+4 <= rows; i += 4 {
		r0 := src[off+i*ld:][:kb]
		r1 := src[off+(i+1)*ld:][:kb]
		r2 := src[off+(i+2)*ld:][:kb]
		r3 := src[off+(i+3)*ld:][:kb]
		for p := range kb {
			d := dst[p*width+i:][:4]
			d[0], d[1], d[2], d[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
		}
	}
	for ; i < rows; i++ {
		for p, v := range src[off+i*ld:][:kb] {
			dst[p*width+i] = alpha * v
		}
	}
}

// packB writes the kb×nb block of op(B) at rows p0, columns j0 to dst as panels of nr
// columns: panel q holds, for each p in turn, the nr elements op(B)[p0+p, j0+q·nr+0..nr-1].
func packB(dst, b []float64, ldb int, trans bool, p0, j0, kb, nb, nr int) {
	for jr := 0; jr < nb; jr += nr {
		panel := dst[jr*kb : (jr+nr)*kb]
		cols := min(nr, nb-jr)
		if cols < nr {
			clear(panel)
		}
		if trans { // op(B)[p, j] = b[j·ldb + p]: each column of op(B) is contiguous
			gather(panel, nr, b, ldb, (j0+jr)*ldb+p0, cols, kb, 1)
			continue
		}
		if vectorPack && cols == nr && nr%8 == 0 {
			off := p0*ldb + j0 + jr
			_ = b[off+(kb-1)*ldb+nr-1] // the assembly's last read
			copy8(&panel[0], nr, &b[off], ldb, kb, 1)
			continue
		}
		for p := range kb { // op(B)[p, j] = b[p·ldb + j]
			copy(panel[p*nr:p*nr+cols], b[(p0+p)*ldb+j0+jr:][:cols])
		}
	}
}
